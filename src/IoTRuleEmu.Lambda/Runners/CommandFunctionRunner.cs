using System.Diagnostics;
using System.Globalization;
using System.Text;
using IoTRuleEmu.Lambda.Functions;

namespace IoTRuleEmu.Lambda.Runners;

/// <summary>
/// <c>"command"</c>: each attempt starts the process with the event on stdin and Lambda's environment variables
/// (<see cref="LambdaEnvironment"/>, plus <c>AWS_LAMBDA_REQUEST_ID</c>, <c>AWS_LAMBDA_ATTEMPT</c>, <c>_X_AMZN_TRACE_ID</c>).
/// Exit code 0 is success with stdout as the response; anything else is an unhandled error whose message is stderr
/// (or <c>Process exited with status N</c>). A timed-out attempt kills the process tree.
/// </summary>
public sealed class CommandFunctionRunner(FunctionDefinition definition, string region) : IFunctionRunner
{
    private readonly CommandFunctionSpec _spec = definition.Command ?? throw new ArgumentException("The function has no command.", nameof(definition));

    public async ValueTask<FunctionResult> RunAsync(FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var start = new ProcessStartInfo(_spec.Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _spec.WorkingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var arg in _spec.Args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in LambdaEnvironment.Build(definition, region))
        {
            start.Environment[name] = value;
        }
        start.Environment["AWS_LAMBDA_REQUEST_ID"] = invocation.RequestId;
        start.Environment["AWS_LAMBDA_ATTEMPT"] = invocation.Attempt.ToString(CultureInfo.InvariantCulture);
        start.Environment["_X_AMZN_TRACE_ID"] = invocation.TraceId;

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return FunctionResult.Unhandled($"Cannot start {_spec.Path}: {ex.Message}", "Runtime.InvalidEntrypoint", requestId: invocation.RequestId);
        }
        try
        {
            var output = new MemoryStream();
            var error = new MemoryStream();
            var readOut = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
            var readErr = process.StandardError.BaseStream.CopyToAsync(error, cancellationToken);
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(invocation.EventOrEmptyObject, cancellationToken).ConfigureAwait(false);
                await process.StandardInput.BaseStream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The process did not read its input; its exit code decides.
            }
            process.StandardInput.Close();
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(readOut, readErr).ConfigureAwait(false);
            if (process.ExitCode == 0)
            {
                return FunctionResult.Success(output.ToArray());
            }
            var message = Encoding.UTF8.GetString(error.ToArray()).Trim();
            return FunctionResult.Unhandled(message.Length > 0 ? message : string.Create(CultureInfo.InvariantCulture, $"Process exited with status {process.ExitCode}"),
                "Runtime.ExitError", requestId: invocation.RequestId);
        }
        finally
        {
            if (!process.HasExited)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }
            }
        }
    }
}
