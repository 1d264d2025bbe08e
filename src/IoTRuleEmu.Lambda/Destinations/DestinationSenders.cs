using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using IoTRuleEmu.Lambda.Remote;

namespace IoTRuleEmu.Lambda.Destinations;

/// <summary>A message for an SQS queue or SNS topic: body plus optional message attributes (DataType, value).</summary>
public sealed record QueueMessage(string Body, IReadOnlyDictionary<string, (string DataType, string Value)>? Attributes);

/// <summary>
/// Sends to SQS through AWSSDK.SQS at the endpoint the functions file names (<c>endpoints.sqs</c>): the queue URL is looked
/// up from the ARN (GetQueueUrl with the queue name and owner account), then SendMessage. Credentials: the
/// <see cref="IAwsCredentialsSource"/>, or <c>test</c>/<c>test</c> when none is configured (local endpoints accept any).
/// </summary>
public sealed class SqsSender(IAwsCredentialsSource credentials) : IDisposable
{
    // Created on first use: AWSSDK.SQS stays unloaded unless an SQS destination is used.
    private ConcurrentDictionary<(string Endpoint, string Region), AmazonSQSClient>? _clients;
    private readonly ConcurrentDictionary<(string Endpoint, string Arn), string> _queueUrls = new();

    public async Task SendAsync(string endpoint, string queueArn, QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queueArn);
        ArgumentNullException.ThrowIfNull(message);
        var parts = queueArn.Split(':');
        var (region, account, name) = (parts[3], parts[4], parts[5]);
        var client = await ClientAsync(endpoint, region, cancellationToken).ConfigureAwait(false);
        if (!_queueUrls.TryGetValue((endpoint, queueArn), out var url))
        {
            var response = await client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = name, QueueOwnerAWSAccountId = account }, cancellationToken).ConfigureAwait(false);
            url = _queueUrls[(endpoint, queueArn)] = response.QueueUrl;
        }
        var request = new SendMessageRequest { QueueUrl = url, MessageBody = message.Body };
        if (message.Attributes is { Count: > 0 })
        {
            request.MessageAttributes = message.Attributes.ToDictionary(a => a.Key, a => new MessageAttributeValue { DataType = a.Value.DataType, StringValue = a.Value.Value });
        }
        await client.SendMessageAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var client in _clients?.Values ?? [])
        {
            client.Dispose();
        }
    }

    private async Task<AmazonSQSClient> ClientAsync(string endpoint, string region, CancellationToken cancellationToken)
    {
        var clients = LazyInitializer.EnsureInitialized(ref _clients);
        if (clients.TryGetValue((endpoint, region), out var client))
        {
            return client;
        }
        var creds = await credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        AWSCredentials aws = creds is null ? new BasicAWSCredentials("test", "test") : creds.UseToken
            ? new SessionAWSCredentials(creds.AccessKey, creds.SecretKey, creds.Token)
            : new BasicAWSCredentials(creds.AccessKey, creds.SecretKey);
        client = new AmazonSQSClient(aws, new AmazonSQSConfig { ServiceURL = endpoint, AuthenticationRegion = region });
        return clients.GetOrAdd((endpoint, region), client);
    }
}

/// <summary>
/// A small SNS client: <c>Publish</c> over the Query protocol (form POST, <c>Version=2010-03-31</c>), signed with SigV4
/// (service <c>sns</c>, the topic's region), with message attributes. Errors are thrown as <see cref="HttpRequestException"/>.
/// </summary>
public sealed class SnsSender(IAwsCredentialsSource credentials) : IDisposable
{
    // Created on first use: the HTTP stack stays unloaded unless an SNS destination is used.
    private HttpClient? _http;

    private HttpClient Http => LazyInitializer.EnsureInitialized(ref _http, static () => new HttpClient { Timeout = TimeSpan.FromSeconds(30) });

    /// <summary>The clock signatures are dated with. Defaults to the system clock.</summary>
    public TimeProvider SigningClock { get; init; } = TimeProvider.System;

    public async Task PublishAsync(string endpoint, string topicArn, QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topicArn);
        ArgumentNullException.ThrowIfNull(message);
        var form = new List<KeyValuePair<string, string>>
        {
            new("Action", "Publish"),
            new("Version", "2010-03-31"),
            new("TopicArn", topicArn),
            new("Message", message.Body),
        };
        var index = 1;
        foreach (var (name, (type, value)) in message.Attributes ?? new Dictionary<string, (string, string)>())
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"MessageAttributes.entry.{index++}.");
            form.Add(new(prefix + "Name", name));
            form.Add(new(prefix + "Value.DataType", type));
            form.Add(new(prefix + "Value.StringValue", value));
        }
        var body = string.Join('&', form.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.TrimEnd('/') + "/")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        var region = topicArn.Split(':')[3];
        var creds = await credentials.GetAsync(cancellationToken).ConfigureAwait(false) ?? new ImmutableCredentials("test", "test", null);
        await AwsRequestSigner.SignAsync(request, creds, region, "sns", SigningClock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException(string.Create(CultureInfo.InvariantCulture, $"SNS Publish to {topicArn} answered {(int)response.StatusCode}: {text}"));
        }
    }

    public void Dispose() => _http?.Dispose();
}
