using System.Text;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Sql.Functions;

/// <summary>
/// The string functions. "str-conv" arguments are converted with the String conversion of §2.3, so Null and Undefined
/// make the result Undefined and arrays/objects become their JSON text.
/// </summary>
internal static class StringFunctions
{
    private const SqlVersion V2015 = SqlVersion.V2015_10_08;
    private const SqlVersion V2016 = SqlVersion.V2016_03_23;

    /// <summary>Largest padding <c>lpad</c>/<c>rpad</c> add.</summary>
    private const int MaxPad = 1000;

    public static void Register(SqlFunctionTable t)
    {
        t.Add("chr", 1, 1, V2015, Chr);
        t.Add("concat", 0, int.MaxValue, V2015, Concat);
        t.Add("endswith", 2, 2, V2015, static (a, c) => StringPair(a, c, static (s, x) => s.EndsWith(x, StringComparison.Ordinal)));
        t.Add("startswith", 2, 2, V2015, static (a, c) => StringPair(a, c, static (s, x) => s.StartsWith(x, StringComparison.Ordinal)));
        t.Add("indexof", 2, 2, V2016, IndexOf);
        t.Add("length", 1, 1, V2016, static (a, c) => FunctionArgs.TryString(a[0], c.Version, out var s) ? SqlValue.FromInt(s.Length) : SqlValue.Undefined);
        t.Add("numbytes", 1, 1, V2016, static (a, c) => FunctionArgs.TryString(a[0], c.Version, out var s) ? SqlValue.FromInt(Encoding.UTF8.GetByteCount(s)) : SqlValue.Undefined);
        t.Add("lower", 1, 1, V2015, static (a, c) => FunctionArgs.TryString(a[0], c.Version, out var s) ? SqlValue.FromString(s.ToLowerInvariant()) : SqlValue.Undefined);
        t.Add("upper", 1, 1, V2015, static (a, c) => FunctionArgs.TryString(a[0], c.Version, out var s) ? SqlValue.FromString(s.ToUpperInvariant()) : SqlValue.Undefined);
        t.Add("lpad", 2, 2, V2015, static (a, c) => Pad(a, c, left: true));
        t.Add("rpad", 2, 2, V2015, static (a, c) => Pad(a, c, left: false));
        t.Add("ltrim", 1, 1, V2015, static (a, c) => FunctionArgs.TryString(a[0], c.Version, out var s) ? SqlValue.FromString(s.TrimStart(Blanks)) : SqlValue.Undefined);
        t.Add("rtrim", 1, 1, V2015, static (a, c) => FunctionArgs.TryString(a[0], c.Version, out var s) ? SqlValue.FromString(s.TrimEnd(Blanks)) : SqlValue.Undefined);
        t.Add("trim", 1, 1, V2015, static (a, c) => FunctionArgs.TryString(a[0], c.Version, out var s) ? SqlValue.FromString(s.Trim(Blanks)) : SqlValue.Undefined);
        t.Add("replace", 3, 3, V2015, Replace);
        t.Add("substring", 2, 3, V2015, Substring);
    }

    /// <summary>What the trim functions remove: spaces and tabs.</summary>
    private static readonly char[] Blanks = [' ', '\t'];

    /// <summary><c>chr(n)</c>: the ASCII character n (Int; Decimal or numeric String rounded down); outside 0..127 → Undefined.</summary>
    private static SqlValue Chr(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        if (!FunctionArgs.TryFloor(args[0], out var code) || code < 0 || code > 127)
        {
            return SqlValue.Undefined;
        }
        return SqlValue.FromString(((char)(int)code).ToString());
    }

    /// <summary>
    /// <c>concat(…)</c>: no argument → Undefined; one → itself; with an Array among them → one flat array (array
    /// arguments spliced, others appended); else with a String among them → the str-conv texts joined; else Undefined.
    /// </summary>
    private static SqlValue Concat(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        if (args.Length == 0)
        {
            return SqlValue.Undefined;
        }
        if (args.Length == 1)
        {
            return args[0];
        }
        var anyArray = false;
        var anyString = false;
        foreach (var arg in args)
        {
            anyArray |= arg.Type == SqlType.Array;
            anyString |= arg.Type == SqlType.String;
        }
        if (anyArray)
        {
            var result = new SqlArray();
            foreach (var arg in args)
            {
                if (arg.Type == SqlType.Array)
                {
                    foreach (var element in arg.Elements)
                    {
                        result.Add(element);
                    }
                }
                else if (!arg.IsUndefined)
                {
                    result.Add(arg);
                }
            }
            return SqlValue.FromArray(result);
        }
        if (!anyString)
        {
            return SqlValue.Undefined;
        }
        var sb = new StringBuilder();
        foreach (var arg in args)
        {
            if (!FunctionArgs.TryString(arg, context.Version, out var s))
            {
                return SqlValue.Undefined;
            }
            sb.Append(s);
        }
        return SqlValue.FromString(sb.ToString());
    }

    private static SqlValue StringPair(ReadOnlySpan<SqlValue> args, EvalContext context, Func<string, string, bool> test)
    {
        if (!FunctionArgs.TryString(args[0], context.Version, out var s) || !FunctionArgs.TryString(args[1], context.Version, out var x))
        {
            return SqlValue.Undefined;
        }
        return SqlValue.FromBool(test(s, x));
    }

    /// <summary><c>indexof(s, sub)</c>: 0-based index of the first occurrence, -1 when absent.</summary>
    private static SqlValue IndexOf(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        if (!FunctionArgs.TryString(args[0], context.Version, out var s) || !FunctionArgs.TryString(args[1], context.Version, out var sub))
        {
            return SqlValue.Undefined;
        }
        return SqlValue.FromInt(s.IndexOf(sub, StringComparison.Ordinal));
    }

    /// <summary><c>lpad(s, n)</c>/<c>rpad(s, n)</c>: adds n spaces (n rounded down, clamped to 0..1000).</summary>
    private static SqlValue Pad(ReadOnlySpan<SqlValue> args, EvalContext context, bool left)
    {
        if (!FunctionArgs.TryString(args[0], context.Version, out var s) || !FunctionArgs.TryFloorClamped(args[1], 0, MaxPad, out var n))
        {
            return SqlValue.Undefined;
        }
        if (n == 0)
        {
            return SqlValue.FromString(s);
        }
        return SqlValue.FromString(left ? new string(' ', n) + s : s + new string(' ', n));
    }

    /// <summary><c>replace(s, from, to)</c>: literal replace-all, like Java's <c>String.replace</c> (an empty <c>from</c> inserts between characters).</summary>
    private static SqlValue Replace(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        var version = context.Version;
        if (!FunctionArgs.TryString(args[0], version, out var s)
            || !FunctionArgs.TryString(args[1], version, out var from)
            || !FunctionArgs.TryString(args[2], version, out var to))
        {
            return SqlValue.Undefined;
        }
        if (from.Length > 0)
        {
            return SqlValue.FromString(s.Replace(from, to, StringComparison.Ordinal));
        }
        var sb = new StringBuilder(s.Length + (s.Length + 1) * to.Length);
        sb.Append(to);
        foreach (var c in s)
        {
            sb.Append(c).Append(to);
        }
        return SqlValue.FromString(sb.ToString());
    }

    /// <summary>
    /// <c>substring(s, start[, end])</c>: 0-based, end exclusive; indices rounded down and clamped to 0..length;
    /// start ≥ end → "".
    /// </summary>
    private static SqlValue Substring(ReadOnlySpan<SqlValue> args, EvalContext context)
    {
        if (!FunctionArgs.TryString(args[0], context.Version, out var s)
            || !FunctionArgs.TryFloorClamped(args[1], 0, s.Length, out var start))
        {
            return SqlValue.Undefined;
        }
        var end = s.Length;
        if (args.Length > 2 && !FunctionArgs.TryFloorClamped(args[2], 0, s.Length, out end))
        {
            return SqlValue.Undefined;
        }
        return start >= end ? SqlValue.EmptyString : SqlValue.FromString(s[start..end]);
    }
}
