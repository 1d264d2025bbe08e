using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Tests;

public class SqlNumberFormatTests
{
    [Theory]
    [InlineData(5.0, "5.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(36.903999599999999, "36.9039996")]
    [InlineData(36.903999599999977, "36.90399959999998")]
    [InlineData(-25.2632837000000772, "-25.263283700000077")]
    [InlineData(1e21, "1.0E21")]
    [InlineData(1e7, "1.0E7")]
    [InlineData(9999999.0, "9999999.0")]
    [InlineData(0.001, "0.001")]
    [InlineData(0.0001, "1.0E-4")]
    [InlineData(1.5707963267948966, "1.5707963267948966")]
    [InlineData(-1.234e-5, "-1.234E-5")]
    [InlineData(123456.789, "123456.789")]
    public void JavaDoubleToString_MatchesJava(double value, string expected) =>
        Assert.Equal(expected, SqlNumberFormat.JavaDoubleToString(value));

    [Theory]
    [InlineData(5.0, "5")]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(2.5, "2.5")]
    [InlineData(-3.0, "-3")]
    [InlineData(1e-5, "1.0E-5")]
    public void FormatDecimal_2016_PrintsWholeNumbersAsInt(double value, string expected) =>
        Assert.Equal(expected, SqlNumberFormat.FormatDecimal(value, SqlVersion.V2016_03_23));

    [Fact]
    public void FormatDecimal_2015_KeepsFraction() =>
        Assert.Equal("5.0", SqlNumberFormat.FormatDecimal(5.0, SqlVersion.V2015_10_08));

    [Theory]
    [InlineData(1013.25, "1013.25")]
    [InlineData(-122.3321, "-122.3321")]
    [InlineData(0.001, "0.001")]
    [InlineData(0.0123, "0.0123")]
    [InlineData(9999999.0, "9999999.0")]
    [InlineData(3.71, "3.71")]
    [InlineData(25.0, "25.0")]
    [InlineData(123456.789012345, "123456.789012345")]
    public void ShortPlainPath_TakesTypicalTelemetryValues(double value, string expected)
    {
        Span<char> text = stackalloc char[SqlNumberFormat.MaxDecimalLength];
        Assert.True(SqlNumberFormat.TryFormatShortPlain(value, text, out var written));
        Assert.Equal(expected, new string(text[..written]));
    }

    [Theory]
    [InlineData(0.0001)] // scientific notation: below the plain range
    [InlineData(1e7)] // scientific notation: at the top of the plain range
    [InlineData(36.903999599999977)] // 16 significant digits
    [InlineData(0.1 + 0.2)] // 0.30000000000000004: 17 digits
    [InlineData(1.5707963267948966)]
    public void ShortPlainPath_LeavesOtherValuesToTheGeneralPath(double value)
    {
        Span<char> text = stackalloc char[SqlNumberFormat.MaxDecimalLength];
        Assert.False(SqlNumberFormat.TryFormatShortPlain(value, text, out _));
    }

    /// <summary>
    /// The fast path is only an optimisation: wherever it answers, the general (shortest round-trip) path must give the
    /// same text. Decimals of 1–17 digits with every point position, their neighbours one ulp away, and random bit
    /// patterns, in both signs.
    /// </summary>
    [Fact]
    public void ShortPlainPath_AgreesWithTheGeneralPath()
    {
        var random = new Random(20261128);
        var values = new List<double> { 1e-3, Math.BitDecrement(1e7), 9999999.999999998, 0.0010000000000000002, 999999.9999999999 };
        for (var i = 0; i < 200_000; i++)
        {
            var digits = random.Next(1, 18);
            var mantissa = random.NextInt64(1, long.MaxValue) % (long)Math.Pow(10, Math.Min(digits, 18));
            var scale = random.Next(0, 20);
            var value = double.Parse($"{mantissa}E-{scale}", System.Globalization.CultureInfo.InvariantCulture);
            values.Add(value);
            values.Add(Math.BitIncrement(value));
            values.Add(Math.BitDecrement(value));
            values.Add(BitConverter.Int64BitsToDouble(random.NextInt64(0x3F50_0000_0000_0000, 0x4163_0000_0000_0000)));
        }
        Span<char> fast = stackalloc char[SqlNumberFormat.MaxDecimalLength];
        Span<char> general = stackalloc char[SqlNumberFormat.MaxDecimalLength];
        var taken = 0;
        foreach (var magnitude in values)
        {
            foreach (var value in (ReadOnlySpan<double>)[magnitude, -magnitude])
            {
                if (value == 0 || !double.IsFinite(value) || !SqlNumberFormat.TryFormatShortPlain(value, fast, out var written))
                {
                    continue;
                }
                taken++;
                var expected = new string(general[..SqlNumberFormat.FormatShortest(value, general)]);
                Assert.True(expected == new string(fast[..written]), $"{value:R}: fast path {new string(fast[..written])}, general path {expected}");
            }
        }
        Assert.True(taken > 100_000, $"the fast path answered only {taken} times");
    }
}
