using System.Globalization;

namespace IoTRuleEmu.Engine.Configuration;

/// <summary>
/// One problem found in a rule: where it came from (<see cref="Source"/>, usually the file), where in the document
/// (<see cref="Path"/> such as <c>actions[0].lambda.functionArn</c>, and a 1-based <see cref="Line"/>/<see cref="Column"/>
/// when known: JSON syntax errors, and SQL errors inside <c>sql</c>) and what is wrong.
/// </summary>
public sealed record RuleConfigError(string Source, string? Path, int? Line, int? Column, string Message)
{
    public override string ToString()
    {
        var where = Source;
        if (Line is not null)
        {
            where += string.Create(CultureInfo.InvariantCulture, $"({Line},{Column})");
        }
        if (!string.IsNullOrEmpty(Path))
        {
            where += $" [{Path}]";
        }
        return $"{where}: {Message}";
    }
}

/// <summary>Thrown by <see cref="TopicRulePayloadParser.Parse(string, string)"/> when the document is not a valid TopicRulePayload.</summary>
public sealed class RuleConfigException : Exception
{
    public RuleConfigException(IReadOnlyList<RuleConfigError> errors)
        : base(errors.Count == 1 ? errors[0].ToString() : "The rule is invalid:\n" + string.Join('\n', errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<RuleConfigError> Errors { get; }
}
