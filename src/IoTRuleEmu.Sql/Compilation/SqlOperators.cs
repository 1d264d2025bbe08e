using System.Numerics;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Compilation;

/// <summary>
/// The operator type tables of iot-sql-operators (iot-sql.md §2.4). Every operator returns Undefined for operand
/// types its table does not list; none throws.
/// </summary>
public static class SqlOperators
{
    /// <summary>AND: Boolean (or "true"/"false" strings) on both sides, else Undefined. Both sides are always evaluated.</summary>
    public static SqlValue And(SqlValue left, SqlValue right)
    {
        var l = SqlConversions.ToBoolean(left);
        var r = SqlConversions.ToBoolean(right);
        return l.IsUndefined || r.IsUndefined ? SqlValue.Undefined : SqlValue.FromBool(l.AsBool && r.AsBool);
    }

    public static SqlValue Or(SqlValue left, SqlValue right)
    {
        var l = SqlConversions.ToBoolean(left);
        var r = SqlConversions.ToBoolean(right);
        return l.IsUndefined || r.IsUndefined ? SqlValue.Undefined : SqlValue.FromBool(l.AsBool || r.AsBool);
    }

    public static SqlValue Not(SqlValue operand)
    {
        var b = SqlConversions.ToBoolean(operand);
        return b.IsUndefined ? SqlValue.Undefined : SqlValue.FromBool(!b.AsBool);
    }

    /// <summary>=: deep equality; Undefined on either side → Undefined; different types → false (no conversion).</summary>
    public static SqlValue Equal(SqlValue left, SqlValue right) =>
        left.IsUndefined || right.IsUndefined ? SqlValue.Undefined : SqlValue.FromBool(SqlEquality.AreEqual(left, right));

    /// <summary>&lt;&gt; and !=: the negation of =, with the same Undefined rule.</summary>
    public static SqlValue NotEqual(SqlValue left, SqlValue right) =>
        left.IsUndefined || right.IsUndefined ? SqlValue.Undefined : SqlValue.FromBool(!SqlEquality.AreEqual(left, right));

    /// <summary>&lt; &lt;= &gt; &gt;=: both sides converted to Decimal (numeric strings allowed); anything else → Undefined.</summary>
    public static SqlValue Compare(SqlValue left, SqlValue right, Func<int, bool> test)
    {
        var c = CompareNumbers(left, right);
        return c is null ? SqlValue.Undefined : SqlValue.FromBool(test(c.Value));
    }

    internal static int? CompareNumbers(SqlValue left, SqlValue right)
    {
        if (left.Type == SqlType.Int && right.Type == SqlType.Int)
        {
            return left.IsBigInt || right.IsBigInt ? left.AsBigInteger.CompareTo(right.AsBigInteger) : left.AsLong.CompareTo(right.AsLong);
        }
        var l = SqlConversions.ToDecimal(left);
        var r = SqlConversions.ToDecimal(right);
        if (l.Type != SqlType.Decimal || r.Type != SqlType.Decimal)
        {
            return null;
        }
        return l.AsDouble.CompareTo(r.AsDouble);
    }

    /// <summary>IN: true when the right-hand array has an element equal to the left value; non-array right side → Undefined.</summary>
    public static SqlValue In(SqlValue left, SqlValue right)
    {
        if (left.IsUndefined || right.Type != SqlType.Array)
        {
            return SqlValue.Undefined;
        }
        foreach (var element in right.Elements)
        {
            if (SqlEquality.AreEqual(left, element))
            {
                return SqlValue.True;
            }
        }
        return SqlValue.False;
    }

    /// <summary>
    /// +: a String on either side concatenates (the other side converted to String; Null/Undefined → Undefined);
    /// Int+Int → Int; Int/Decimal mix → Decimal; else Undefined.
    /// </summary>
    public static SqlValue Add(SqlValue left, SqlValue right, SqlVersion version)
    {
        if (left.Type == SqlType.String || right.Type == SqlType.String)
        {
            var l = SqlConversions.ToText(left, version);
            var r = SqlConversions.ToText(right, version);
            return l is null || r is null ? SqlValue.Undefined : SqlValue.FromString(string.Concat(l, r));
        }
        if (left.Type == SqlType.Int && right.Type == SqlType.Int)
        {
            return left.IsBigInt || right.IsBigInt ? SqlValue.FromInt(left.AsBigInteger + right.AsBigInteger) : FromInt128((Int128)left.AsLong + right.AsLong);
        }
        if (left.IsNumber && right.IsNumber)
        {
            return SqlValue.FromDecimal(left.AsDouble + right.AsDouble);
        }
        return SqlValue.Undefined;
    }

    public static SqlValue Subtract(SqlValue left, SqlValue right) => Arithmetic(left, right, ArithmeticOp.Subtract);

    public static SqlValue Multiply(SqlValue left, SqlValue right) => Arithmetic(left, right, ArithmeticOp.Multiply);

    /// <summary>/: Int/Int → Int truncated toward zero (as Java's long division); division by zero → Undefined.</summary>
    public static SqlValue Divide(SqlValue left, SqlValue right) => Arithmetic(left, right, ArithmeticOp.Divide);

    /// <summary>%: Int%Int → Int with the dividend's sign; with Decimals → Decimal; by zero → Undefined.</summary>
    public static SqlValue Modulo(SqlValue left, SqlValue right) => Arithmetic(left, right, ArithmeticOp.Modulo);

    private enum ArithmeticOp : byte { Subtract, Multiply, Divide, Modulo }

    /// <summary>- * / %: Int∘Int → Int; a Decimal or a numeric String on either side → Decimal; else Undefined.</summary>
    private static SqlValue Arithmetic(SqlValue left, SqlValue right, ArithmeticOp op)
    {
        if (left.Type == SqlType.Int && right.Type == SqlType.Int)
        {
            if (left.IsBigInt || right.IsBigInt)
            {
                var a = left.AsBigInteger;
                var b = right.AsBigInteger;
                return op switch
                {
                    ArithmeticOp.Subtract => SqlValue.FromInt(a - b),
                    ArithmeticOp.Multiply => SqlValue.FromInt(a * b),
                    ArithmeticOp.Divide => b.IsZero ? SqlValue.Undefined : SqlValue.FromInt(BigInteger.Divide(a, b)),
                    _ => b.IsZero ? SqlValue.Undefined : SqlValue.FromInt(BigInteger.Remainder(a, b)),
                };
            }
            var x = left.AsLong;
            var y = right.AsLong;
            return op switch
            {
                ArithmeticOp.Subtract => FromInt128((Int128)x - y),
                ArithmeticOp.Multiply => FromInt128((Int128)x * y),
                ArithmeticOp.Divide => y == 0 ? SqlValue.Undefined : FromInt128((Int128)x / y),
                _ => y == 0 ? SqlValue.Undefined : FromInt128((Int128)x % y),
            };
        }
        var l = ArithmeticOperand(left);
        var r = ArithmeticOperand(right);
        if (l.IsUndefined || r.IsUndefined)
        {
            return SqlValue.Undefined;
        }
        var da = l.AsDouble;
        var db = r.AsDouble;
        return op switch
        {
            ArithmeticOp.Subtract => SqlValue.FromDecimal(da - db),
            ArithmeticOp.Multiply => SqlValue.FromDecimal(da * db),
            ArithmeticOp.Divide => db == 0 ? SqlValue.Undefined : SqlValue.FromDecimal(da / db),
            _ => db == 0 ? SqlValue.Undefined : SqlValue.FromDecimal(da % db),
        };
    }

    /// <summary>Numbers as they are; numeric strings as Decimal; anything else Undefined (Null included).</summary>
    private static SqlValue ArithmeticOperand(SqlValue value) => value.Type switch
    {
        SqlType.Int or SqlType.Decimal => value,
        SqlType.String => SqlConversions.ToDecimal(value),
        _ => SqlValue.Undefined,
    };

    /// <summary>Unary minus: Int → Int, Decimal → Decimal, numeric String → Decimal; else Undefined.</summary>
    public static SqlValue Negate(SqlValue operand) => operand.Type switch
    {
        SqlType.Int => operand.IsBigInt ? SqlValue.FromInt(-operand.AsBigInteger) : FromInt128(-(Int128)operand.AsLong),
        SqlType.Decimal => SqlValue.FromDecimal(-operand.AsDouble),
        SqlType.String => SqlConversions.ToDecimal(operand) is { Type: SqlType.Decimal } d ? SqlValue.FromDecimal(-d.AsDouble) : SqlValue.Undefined,
        _ => SqlValue.Undefined,
    };

    /// <summary>Unary plus: numbers unchanged, numeric strings as Decimal; else Undefined.</summary>
    public static SqlValue Plus(SqlValue operand) => operand.Type switch
    {
        SqlType.Int or SqlType.Decimal => operand,
        SqlType.String => SqlConversions.ToDecimal(operand),
        _ => SqlValue.Undefined,
    };

    private static SqlValue FromInt128(Int128 value) =>
        value >= long.MinValue && value <= long.MaxValue ? SqlValue.FromInt((long)value) : SqlValue.FromInt((BigInteger)value);
}
