using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Threading.Channels;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Lambda.Functions;
using IoTRuleEmu.Lambda.Runners;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTRuleEmu.Lambda.RuntimeApi;

/// <summary>
/// <c>"runtimeApi"</c>: the emulator serves the Lambda Runtime API (lambda-async.md §6) on a loopback port of its own and
/// starts the function's <c>bootstrap</c> with <c>AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT</c>, so a real runtime client
/// (aws-lambda-ric, Amazon.Lambda.RuntimeSupport, a shell custom runtime) runs the real code. One sandbox per function:
/// attempts run one at a time; the process is started on the first attempt and kept; it is killed on a timeout and
/// restarted for the next attempt; if it exits before answering, the attempt fails with
/// <c>RequestId: … Process exited before completing request</c>.
/// </summary>
public sealed partial class RuntimeApiRunner : IFunctionRunner, IAsyncDisposable
{
    public const string BasePath = "/2018-06-01";

    private readonly FunctionDefinition _definition;
    private readonly RuntimeApiSpec _spec;
    private readonly string _region;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly SemaphoreSlim _startLock = new(1, 1);
    // One channel per process: a /next request of a killed process that Kestrel has not yet seen aborted must not take
    // the work of the next process.
    private volatile Channel<Work> _work = Channel.CreateUnbounded<Work>();
    private WebApplication? _server;
    private Process? _process;
    private TaskCompletionSource<int>? _exited;
    private volatile Work? _current;
    private volatile InitError? _initError;
    private int _disposed;

    public RuntimeApiRunner(FunctionDefinition definition, string region, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _definition = definition;
        _spec = definition.RuntimeApi ?? throw new ArgumentException("The function has no runtimeApi.", nameof(definition));
        _region = region;
        _logger = loggerFactory.CreateLogger("IoTRuleEmu.Lambda.Function." + definition.Name);
    }

    /// <summary><c>host:port</c> of the Runtime API once started (the value of <c>AWS_LAMBDA_RUNTIME_API</c>).</summary>
    public string? RuntimeApiAddress { get; private set; }

    /// <summary>How many times the bootstrap process was started.</summary>
    public int ProcessStarts { get; private set; }

    public async ValueTask<FunctionResult> RunAsync(FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var exited = await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
            if (exited is null)
            {
                return FunctionResult.Unhandled($"Cannot start the bootstrap {_spec.Bootstrap}", "Runtime.InvalidEntrypoint", requestId: invocation.RequestId);
            }
            var work = new Work(invocation);
            _current = work;
            await _work.Writer.WriteAsync(work, cancellationToken).ConfigureAwait(false);
            var done = await Task.WhenAny(work.Result.Task, exited, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
            if (done == work.Result.Task)
            {
                return await work.Result.Task.ConfigureAwait(false);
            }
            // Not answered: drop the work item if the runtime never took it.
            work.Abandon();
            if (done == exited)
            {
                var init = _initError;
                _initError = null;
                return init is not null
                    ? FunctionResult.FromErrorBody(init.Body, init.ErrorType, "Runtime init error", invocation.RequestId)
                    : FunctionResult.Unhandled($"RequestId: {invocation.RequestId} Process exited before completing request", "Runtime.ExitError", requestId: invocation.RequestId);
            }
            // Timed out (or the emulator is stopping): the sandbox is reset.
            await StopProcessAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            _current = null;
            _oneAtATime.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await StopProcessAsync().ConfigureAwait(false);
        if (_server is not null)
        {
            await _server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _server.DisposeAsync().ConfigureAwait(false);
        }
        _oneAtATime.Dispose();
        _startLock.Dispose();
    }

    private async Task<Task<int>?> EnsureStartedAsync(CancellationToken cancellationToken)
    {
        await _startLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (_server is null)
            {
                _server = BuildServer();
                await _server.StartAsync(cancellationToken).ConfigureAwait(false);
                var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                RuntimeApiAddress = new Uri(address).Authority;
                LogServing(_logger, _definition.Name, RuntimeApiAddress);
            }
            if (_process is { HasExited: false } && _exited is not null)
            {
                return _exited.Task;
            }
            // A fresh sandbox: a new work channel (the old one, with work nobody took, is closed), and the exited process.
            var old = _work;
            _work = Channel.CreateUnbounded<Work>();
            old.Writer.TryComplete();
            _process?.Dispose();
            _process = null;
            _initError = null;
            var start = new ProcessStartInfo(_spec.Bootstrap)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                WorkingDirectory = _spec.WorkingDirectory ?? Path.GetDirectoryName(Path.GetFullPath(_spec.Bootstrap)) ?? Directory.GetCurrentDirectory(),
            };
            foreach (var arg in _spec.Args)
            {
                start.ArgumentList.Add(arg);
            }
            foreach (var (name, value) in LambdaEnvironment.Build(_definition, _region, _spec.Handler ?? "handler"))
            {
                start.Environment[name] = value;
            }
            start.Environment["AWS_LAMBDA_RUNTIME_API"] = RuntimeApiAddress;
            start.Environment["LAMBDA_TASK_ROOT"] = start.WorkingDirectory;
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.Exited += (_, _) =>
            {
                int code;
                try
                {
                    code = process.ExitCode;
                }
                catch (InvalidOperationException)
                {
                    code = -1;
                }
                exited.TrySetResult(code);
            };
            process.OutputDataReceived += (_, e) => LogOutput(e.Data);
            process.ErrorDataReceived += (_, e) => LogOutput(e.Data);
            try
            {
                process.Start();
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                LogStartFailed(_logger, _definition.Name, _spec.Bootstrap, ex.Message);
                process.Dispose();
                return null;
            }
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            ProcessStarts++;
            LogProcessStarted(_logger, _definition.Name, _spec.Bootstrap, process.Id, RuntimeApiAddress!);
            _process = process;
            _exited = exited;
            return exited.Task;
        }
        finally
        {
            _startLock.Release();
        }
    }

    private async Task StopProcessAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }

    private void LogOutput(string? line)
    {
        if (line is not null)
        {
            LogFunctionOutput(_logger, _definition.Name, line);
        }
    }

    private WebApplication BuildServer()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        app.MapGet(BasePath + "/runtime/invocation/next", NextAsync);
        app.MapPost(BasePath + "/runtime/invocation/{requestId}/response", ResponseAsync);
        app.MapPost(BasePath + "/runtime/invocation/{requestId}/error", ErrorAsync);
        app.MapPost(BasePath + "/runtime/init/error", InitErrorAsync);
        return app;
    }

    private async Task NextAsync(HttpContext context)
    {
        var channel = _work;
        Work? work;
        while (true)
        {
            try
            {
                work = await channel.Reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ChannelClosedException)
            {
                // The sandbox was reset: this request belongs to a process that is gone.
                await WriteAsync(context, 500, """{"errorMessage":"The sandbox was reset","errorType":"Runtime.Reset"}""").ConfigureAwait(false);
                return;
            }
            if (work.TryTake())
            {
                break;
            }
        }
        var invocation = work.Invocation;
        var headers = context.Response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = invocation.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = invocation.InvokedFunctionArn ?? invocation.Function.Arn;
        headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
        headers["Lambda-Runtime-Invocation-Id"] = invocation.InvocationId;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(invocation.EventOrEmptyObject, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task ResponseAsync(HttpContext context, string requestId)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (await CheckRequestAsync(context, requestId).ConfigureAwait(false) is not { } work)
        {
            return;
        }
        if (body.Length > 6 * 1024 * 1024)
        {
            work.Complete(FunctionResult.Unhandled("Response payload size exceeded maximum allowed payload size (6291556 bytes).", "Function.ResponseSizeTooLarge", requestId: requestId));
            await WriteAsync(context, 413, """{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}""").ConfigureAwait(false);
            return;
        }
        work.Complete(FunctionResult.Success(body));
        await WriteAsync(context, 202, """{"status":"OK"}""").ConfigureAwait(false);
    }

    private async Task ErrorAsync(HttpContext context, string requestId)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (await CheckRequestAsync(context, requestId).ConfigureAwait(false) is not { } work)
        {
            return;
        }
        var type = context.Request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault();
        work.Complete(FunctionResult.FromErrorBody(body, type ?? "Unhandled", type ?? "Unhandled", requestId));
        await WriteAsync(context, 202, """{"status":"OK"}""").ConfigureAwait(false);
    }

    private async Task InitErrorAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        var type = context.Request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault() ?? "Runtime.Unknown";
        _initError = new InitError(type, body);
        LogInitError(_logger, _definition.Name, type, Encoding.UTF8.GetString(body));
        // The runtime exits next; the attempt waiting for it fails with this error.
        if (_current is { } work)
        {
            work.Complete(FunctionResult.FromErrorBody(body, type, "Runtime init error", work.Invocation.RequestId));
        }
        await WriteAsync(context, 202, """{"status":"OK"}""").ConfigureAwait(false);
    }

    private async Task<Work?> CheckRequestAsync(HttpContext context, string requestId)
    {
        var work = _current;
        if (work is null || work.Invocation.RequestId != requestId || !work.Taken)
        {
            await WriteAsync(context, 400, """{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}""").ConfigureAwait(false);
            return null;
        }
        if (work.Result.Task.IsCompleted)
        {
            await WriteAsync(context, 403, """{"errorMessage":"Invalid state transition","errorType":"InvalidStateTransition"}""").ConfigureAwait(false);
            return null;
        }
        // A late answer from an earlier attempt (recent clients echo the invocation id) is refused.
        if (context.Request.Headers["Lambda-Runtime-Invocation-Id"].FirstOrDefault() is { Length: > 0 } echoed && echoed != work.Invocation.InvocationId)
        {
            await WriteAsync(context, 400, """{"errorMessage":"Invalid invocation ID","errorType":"InvalidRequestID"}""").ConfigureAwait(false);
            return null;
        }
        return work;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static Task WriteAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json, context.RequestAborted);
    }

    private sealed record InitError(string ErrorType, byte[] Body);

    private sealed class Work(FunctionInvocation invocation)
    {
        private int _state; // 0 waiting, 1 taken by /next, 2 abandoned

        public FunctionInvocation Invocation { get; } = invocation;

        public TaskCompletionSource<FunctionResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Taken => Volatile.Read(ref _state) == 1;

        public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public void Abandon() => Interlocked.CompareExchange(ref _state, 2, 0);

        public void Complete(FunctionResult result) => Result.TrySetResult(result);
    }

    [LoggerMessage(EventIds.RuntimeApiServing, LogLevel.Information, "Lambda Runtime API for {FunctionName} listening on {Address}")]
    private static partial void LogServing(ILogger logger, string functionName, string address);

    [LoggerMessage(EventIds.RuntimeApiProcessStarted, LogLevel.Information, "Started bootstrap {Bootstrap} for {FunctionName} (pid {Pid}) with AWS_LAMBDA_RUNTIME_API={Address}")]
    private static partial void LogProcessStarted(ILogger logger, string functionName, string bootstrap, int pid, string address);

    [LoggerMessage(EventIds.RuntimeApiStartFailed, LogLevel.Error, "Cannot start bootstrap {Bootstrap} for {FunctionName}: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string functionName, string bootstrap, string reason);

    [LoggerMessage(EventIds.FunctionOutput, LogLevel.Information, "{FunctionName}: {Line}")]
    private static partial void LogFunctionOutput(ILogger logger, string functionName, string line);

    [LoggerMessage(EventIds.RuntimeApiInitError, LogLevel.Warning, "{FunctionName} runtime reported an init error {ErrorType}: {Body}")]
    private static partial void LogInitError(ILogger logger, string functionName, string errorType, string body);
}
