using System.Text.Json;
using IoTRuleEmu.AwsApi.Tests.Infrastructure;

namespace IoTRuleEmu.AwsApi.Tests.Boto3;

/// <summary>Every operation through boto3 (one python process), asserting the parsed responses and error codes.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class Boto3Tests(SharedEmulator shared)
{
    private const string Script = """
        import base64, json, os, time
        import boto3, botocore
        from botocore.config import Config
        kw = dict(endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1', aws_access_key_id='test',
                  aws_secret_access_key='test', config=Config(retries={'max_attempts': 1}))
        iot = boto3.client('iot', **kw); data = boto3.client('iot-data', **kw)
        lam = boto3.client('lambda', **kw); ct = boto3.client('cloudtrail', **kw)
        out = {}
        def err(f):
            try:
                f(); return None
            except botocore.exceptions.ClientError as e:
                return {'code': e.response['Error']['Code'], 'message': e.response['Error']['Message'],
                        'status': e.response['ResponseMetadata']['HTTPStatusCode']}
        iot.create_topic_rule(ruleName='boto_rule', topicRulePayload={'sql': "SELECT * FROM 'boto/in'",
            'actions': [{'lambda': {'functionArn': 'arn:aws:lambda:us-east-1:123456789012:function:ok_fn'}}]})
        r = iot.get_topic_rule(ruleName='boto_rule')
        out['get'] = {'ruleArn': r['ruleArn'], 'sql': r['rule']['sql'], 'createdAt': type(r['rule']['createdAt']).__name__,
                      'version': r['rule']['awsIotSqlVersion']}
        out['list'] = [x['ruleName'] for x in iot.list_topic_rules(topic='boto/in')['rules']]
        out['dup'] = err(lambda: iot.create_topic_rule(ruleName='boto_rule', topicRulePayload={'sql': "SELECT * FROM 'x'", 'actions': []}))
        out['badsql'] = err(lambda: iot.create_topic_rule(ruleName='boto_bad', topicRulePayload={'sql': 'SELECT * FROM', 'actions': []}))
        out['missing'] = err(lambda: iot.get_topic_rule(ruleName='nope'))
        iot.disable_topic_rule(ruleName='boto_rule')
        out['disabled'] = iot.get_topic_rule(ruleName='boto_rule')['rule']['ruleDisabled']
        iot.enable_topic_rule(ruleName='boto_rule')
        iot.replace_topic_rule(ruleName='boto_rule', topicRulePayload={'sql': "SELECT *, clientid() AS cid FROM 'boto/in'",
            'actions': [{'lambda': {'functionArn': 'arn:aws:lambda:us-east-1:123456789012:function:ok_fn'}}]})
        data.publish(topic='boto/in', qos=1, payload=b'{"x":1}', userProperties=json.dumps([{'a': 'b'}]))
        data.publish(topic='boto/retained', retain=True, payload=b'keep')
        m = data.get_retained_message(topic='boto/retained')
        out['retained'] = {'payload': m['payload'].decode(), 'topic': m['topic'], 'qos': m['qos']}
        out['retainedList'] = [t['topic'] for t in data.list_retained_messages()['retainedTopics']]
        out['publishErr'] = err(lambda: data.publish(topic='boto/#', payload=b'x'))
        inv = lam.invoke(FunctionName='boom_fn', Payload=b'{}')
        out['invoke'] = {'status': inv['StatusCode'], 'functionError': inv.get('FunctionError'), 'body': json.loads(inv['Payload'].read())}
        out['event'] = lam.invoke(FunctionName='ok_fn', InvocationType='Event', Payload=b'{}')['StatusCode']
        out['dryRun'] = lam.invoke(FunctionName='ok_fn', InvocationType='DryRun')['StatusCode']
        out['invokeMissing'] = err(lambda: lam.invoke(FunctionName='missing_fn'))
        out['badPayload'] = err(lambda: lam.invoke(FunctionName='ok_fn', Payload=b'{oops'))
        c = lam.put_function_event_invoke_config(FunctionName='ok_fn', MaximumRetryAttempts=1)
        out['eic'] = {'arn': c['FunctionArn'], 'retries': c['MaximumRetryAttempts'], 'lastModified': type(c['LastModified']).__name__,
                      'listed': len(lam.list_function_event_invoke_configs(FunctionName='ok_fn')['FunctionEventInvokeConfigs'])}
        c = lam.update_function_event_invoke_config(FunctionName='ok_fn', MaximumEventAgeInSeconds=300)
        out['eicUpdated'] = [c['MaximumRetryAttempts'], c['MaximumEventAgeInSeconds'], lam.get_function_event_invoke_config(FunctionName='ok_fn')['MaximumEventAgeInSeconds']]
        lam.delete_function_event_invoke_config(FunctionName='ok_fn')
        out['eicMissing'] = err(lambda: lam.get_function_event_invoke_config(FunctionName='ok_fn'))
        p = lam.add_permission(FunctionName='ok_fn', StatementId='boto', Action='lambda:InvokeFunction', Principal='iot.amazonaws.com')
        out['perm'] = json.loads(p['Statement'])['Sid']
        out['permDup'] = err(lambda: lam.add_permission(FunctionName='ok_fn', StatementId='boto', Action='lambda:InvokeFunction', Principal='iot.amazonaws.com'))
        lam.remove_permission(FunctionName='ok_fn', StatementId='boto')
        out['permGone'] = err(lambda: lam.remove_permission(FunctionName='ok_fn', StatementId='boto'))
        out['function'] = lam.get_function(FunctionName='ok_fn')['Configuration']['FunctionArn']
        out['functions'] = sorted(f['FunctionName'] for f in lam.list_functions()['Functions'])
        deadline = time.time() + 30
        found = None
        while found is None and time.time() < deadline:
            for e in ct.lookup_events(LookupAttributes=[{'AttributeKey': 'EventName', 'AttributeValue': 'Invoke'}])['Events']:
                rec = json.loads(e['CloudTrailEvent'])
                if (rec.get('requestParameters') or {}).get('sourceArn') == 'arn:aws:iot:us-east-1:123456789012:rule/boto_rule':
                    found = {'eventName': e['EventName'], 'eventTime': type(e['EventTime']).__name__, 'readOnly': e['ReadOnly'],
                             'functionName': rec['requestParameters']['functionName']}
            if found is None:
                time.sleep(0.2)
        out['lookup'] = found
        out['lookupErr'] = err(lambda: ct.lookup_events(MaxResults=51))
        out['lookupAttrErr'] = err(lambda: ct.lookup_events(LookupAttributes=[{'AttributeKey': 'EventName', 'AttributeValue': 'a'},
                                                                              {'AttributeKey': 'EventName', 'AttributeValue': 'b'}]))
        print(json.dumps(out))
        """;

    [Fact]
    public async Task EveryOperation_ThroughBoto3()
    {
        var result = await Processes.PythonAsync(shared.Emulator.Endpoint, Script);
        Assert.True(result.ExitCode == 0, result.ToString());
        var o = result.Json;

        Assert.Equal("arn:aws:iot:us-east-1:123456789012:rule/boto_rule", o.GetProperty("get").GetProperty("ruleArn").GetString());
        Assert.Equal("datetime", o.GetProperty("get").GetProperty("createdAt").GetString());
        Assert.Equal("2015-10-08", o.GetProperty("get").GetProperty("version").GetString());
        Assert.Equal("boto_rule", Assert.Single(o.GetProperty("list").EnumerateArray()).GetString());
        AssertError(o, "dup", "ResourceAlreadyExistsException", 409);
        AssertError(o, "badsql", "SqlParseException", 400);
        AssertError(o, "missing", "UnauthorizedException", 401, "Access to topic rule 'nope' was denied");
        Assert.True(o.GetProperty("disabled").GetBoolean());

        Assert.Equal("keep", o.GetProperty("retained").GetProperty("payload").GetString());
        Assert.Contains(o.GetProperty("retainedList").EnumerateArray(), t => t.GetString() == "boto/retained");
        AssertError(o, "publishErr", "InvalidRequestException", 400);

        Assert.Equal(200, o.GetProperty("invoke").GetProperty("status").GetInt32());
        Assert.Equal("Unhandled", o.GetProperty("invoke").GetProperty("functionError").GetString());
        Assert.Equal("intentional failure", o.GetProperty("invoke").GetProperty("body").GetProperty("errorMessage").GetString());
        Assert.Equal(202, o.GetProperty("event").GetInt32());
        Assert.Equal(204, o.GetProperty("dryRun").GetInt32());
        AssertError(o, "invokeMissing", "ResourceNotFoundException", 404, "Function not found");
        AssertError(o, "badPayload", "InvalidRequestContentException", 400);

        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:ok_fn:$LATEST", o.GetProperty("eic").GetProperty("arn").GetString());
        Assert.Equal(1, o.GetProperty("eic").GetProperty("retries").GetInt32());
        Assert.Equal("datetime", o.GetProperty("eic").GetProperty("lastModified").GetString());
        Assert.Equal(1, o.GetProperty("eic").GetProperty("listed").GetInt32());
        Assert.Equal(new[] { 1, 300, 300 }, o.GetProperty("eicUpdated").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        AssertError(o, "eicMissing", "ResourceNotFoundException", 404, "doesn't have an EventInvokeConfig");
        Assert.Equal("boto", o.GetProperty("perm").GetString());
        AssertError(o, "permDup", "ResourceConflictException", 409);
        AssertError(o, "permGone", "ResourceNotFoundException", 404);
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:ok_fn", o.GetProperty("function").GetString());
        Assert.Contains(o.GetProperty("functions").EnumerateArray(), f => f.GetString() == "boom_fn");

        var lookup = o.GetProperty("lookup");
        Assert.Equal(JsonValueKind.Object, lookup.ValueKind);
        Assert.Equal("Invoke", lookup.GetProperty("eventName").GetString());
        Assert.Equal("datetime", lookup.GetProperty("eventTime").GetString());
        Assert.Equal("false", lookup.GetProperty("readOnly").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:ok_fn", lookup.GetProperty("functionName").GetString());
        AssertError(o, "lookupErr", "InvalidMaxResultsException", 400);
        AssertError(o, "lookupAttrErr", "InvalidLookupAttributesException", 400);
    }

    private static void AssertError(JsonElement o, string key, string code, int status, string? message = null)
    {
        var e = o.GetProperty(key);
        Assert.True(e.ValueKind == JsonValueKind.Object, $"{key}: expected an error, got {e}");
        Assert.Equal(code, e.GetProperty("code").GetString());
        Assert.Equal(status, e.GetProperty("status").GetInt32());
        if (message is not null)
        {
            Assert.Contains(message, e.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }
}
