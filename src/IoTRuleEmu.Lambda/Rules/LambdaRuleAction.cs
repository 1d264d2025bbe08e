using System.Globalization;
using System.Text.Json;
using IoTRuleEmu.Engine.Actions;
using IoTRuleEmu.Engine.Configuration;
using IoTRuleEmu.Lambda.Invocation;
using IoTRuleEmu.Sql.Diagnostics;
using IoTRuleEmu.Sql.Templates;

namespace IoTRuleEmu.Lambda.Rules;

/// <summary>
/// The rule action <c>lambda</c>: invokes <c>functionArn</c> (a substitution template) asynchronously with the SQL result as
/// the event. It fails (→ error action) only when the Invoke call fails; what the function does later never fails it.
/// </summary>
public sealed class LambdaRuleAction(SubstitutionTemplate functionArn, ILambdaService lambda, string accountId) : IRuleAction
{
    public string ActionKey => ActionKinds.Lambda;

    public SubstitutionTemplate FunctionArn { get; } = functionArn;

    /// <summary>The error action's <c>errorMessage</c> for an Invoke call that failed with <paramref name="statusCode"/>.</summary>
    public static string InvokeFailedMessage(int statusCode) =>
        string.Create(CultureInfo.InvariantCulture, $"Failed to invoke lambda function. Received Server error from Lambda. The error code is {statusCode}");

    public async ValueTask<ActionResult> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var arn = context.Render(FunctionArn);
        var request = new InvokeRequest
        {
            FunctionName = arn,
            InvocationType = InvocationType.Event,
            Payload = context.Payload,
            Caller = InvokeCaller.IotRule(context.Rule.Name, context.Rule.Arn, accountId),
        };
        var result = await lambda.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            ? ActionResult.Success(arn)
            : ActionResult.Failure(arn, InvokeFailedMessage(result.StatusCode));
    }
}

/// <summary>Builds <see cref="LambdaRuleAction"/>s from <c>{"lambda":{"functionArn":"…"}}</c>.</summary>
public sealed class LambdaRuleActionFactory(ILambdaService lambda, Microsoft.Extensions.Options.IOptions<Engine.RuleEngineOptions> options) : IRuleActionFactory
{
    public string ActionKey => ActionKinds.Lambda;

    public IRuleAction? Create(RuleActionConfig config, ActionCreateContext context)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);
        SubstitutionTemplate? template = null;
        foreach (var property in config.Body.EnumerateObject())
        {
            switch (property.Name)
            {
                case "functionArn":
                    if (property.Value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(property.Value.GetString()))
                    {
                        context.AddError($"{config.Path}.functionArn", "Expected a non-empty string (the function ARN).");
                        break;
                    }
                    try
                    {
                        template = SubstitutionTemplate.Parse(property.Value.GetString()!, context.SqlVersion);
                    }
                    catch (SqlParseException ex)
                    {
                        context.AddError($"{config.Path}.functionArn", "Invalid substitution template: " + ex.Message);
                    }
                    break;
                default:
                    context.AddError($"{config.Path}.{property.Name}", $"Unknown field '{property.Name}'; the lambda action has: functionArn.");
                    break;
            }
        }
        if (template is null)
        {
            if (!config.Body.TryGetProperty("functionArn", out _))
            {
                context.AddError($"{config.Path}.functionArn", "Missing required field 'functionArn'.");
            }
            return null;
        }
        return new LambdaRuleAction(template, lambda, options.Value.AccountId);
    }
}
