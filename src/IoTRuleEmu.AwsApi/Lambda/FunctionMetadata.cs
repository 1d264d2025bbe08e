using System.Collections.Concurrent;

namespace IoTRuleEmu.AwsApi.Lambda;

/// <summary>
/// What GetFunction/ListFunctions show beyond the function definition (timeout and memory come from it): known for
/// template functions, defaults otherwise.
/// </summary>
public sealed record FunctionMetadata(
    string? Runtime = null,
    string? Handler = null,
    string? Description = null,
    string? Role = null,
    string? Source = null);

/// <summary>Metadata of functions, by name (CloudFormation fills it). Thread-safe.</summary>
public sealed class FunctionCatalog
{
    private readonly ConcurrentDictionary<string, FunctionMetadata> _metadata = new(StringComparer.Ordinal);

    public void Set(string functionName, FunctionMetadata metadata) => _metadata[functionName] = metadata;

    public FunctionMetadata Get(string functionName) => _metadata.GetValueOrDefault(functionName) ?? new FunctionMetadata();
}
