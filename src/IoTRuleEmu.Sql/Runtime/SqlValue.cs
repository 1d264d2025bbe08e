using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace IoTRuleEmu.Sql.Runtime;

/// <summary>
/// One AWS IoT SQL value. A small struct so that numbers, booleans, Null and Undefined cost no allocation.
/// Objects and arrays read from the payload stay backed by the parsed JSON document (lazy), so a rule that reads
/// two attributes of a large payload materialises only those two.
/// </summary>
/// <remarks>
/// Invariant: a JSON-backed value is valid only while the <see cref="EvalContext"/> that parsed the payload is alive;
/// anything that outlives an evaluation (output payloads, error documents) is serialised before the context ends.
/// </remarks>
public readonly struct SqlValue : IEquatable<SqlValue>
{
    private readonly object? _ref;
    private readonly long _bits;
    public SqlType Type { get; }

    private SqlValue(SqlType type, long bits, object? reference)
    {
        Type = type;
        _bits = bits;
        _ref = reference;
    }

    public static readonly SqlValue Undefined = default;
    public static readonly SqlValue Null = new(SqlType.Null, 0, null);
    public static readonly SqlValue True = new(SqlType.Boolean, 1, null);
    public static readonly SqlValue False = new(SqlType.Boolean, 0, null);
    public static readonly SqlValue EmptyString = new(SqlType.String, 0, string.Empty);

    /// <summary>Largest magnitude an Int may hold (34 digits); beyond it a number is a Decimal.</summary>
    internal static readonly BigInteger MaxBigInt = BigInteger.Pow(10, 34) - 1;

    public static SqlValue FromBool(bool value) => value ? True : False;
    public static SqlValue FromInt(long value) => new(SqlType.Int, value, null);

    /// <summary>An Int from an arbitrary integer: 64-bit when it fits, BigInteger up to 34 digits, else a Decimal.</summary>
    public static SqlValue FromInt(BigInteger value)
    {
        if (value >= long.MinValue && value <= long.MaxValue)
        {
            return FromInt((long)value);
        }
        return BigInteger.Abs(value) <= MaxBigInt ? new SqlValue(SqlType.Int, 0, value) : FromDecimal((double)value);
    }

    /// <summary>A Decimal. NaN and infinities are not JSON values: they become Undefined.</summary>
    public static SqlValue FromDecimal(double value) =>
        double.IsFinite(value) ? new SqlValue(SqlType.Decimal, BitConverter.DoubleToInt64Bits(value), null) : Undefined;

    /// <summary>A Decimal that keeps NaN (only <c>nanvl</c> can observe it).</summary>
    internal static SqlValue FromDecimalUnchecked(double value) => new(SqlType.Decimal, BitConverter.DoubleToInt64Bits(value), null);

    public static SqlValue FromString(string? value) => value is null ? Undefined : new SqlValue(SqlType.String, 0, value);
    public static SqlValue FromArray(SqlArray value) => new(SqlType.Array, 0, value);
    public static SqlValue FromObject(SqlObject value) => new(SqlType.Object, 0, value);
    public static SqlValue FromBinary(ReadOnlyMemory<byte> value) => new(SqlType.Binary, 0, value);

    /// <summary>Wraps a parsed JSON element without copying it (objects and arrays stay lazy).</summary>
    public static SqlValue FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object: return new SqlValue(SqlType.Object, 0, new JsonBox(element));
            case JsonValueKind.Array: return new SqlValue(SqlType.Array, 0, new JsonBox(element));
            case JsonValueKind.String: return new SqlValue(SqlType.String, 0, element.GetString());
            case JsonValueKind.Number: return FromJsonNumber(element);
            case JsonValueKind.True: return True;
            case JsonValueKind.False: return False;
            case JsonValueKind.Null: return Null;
            default: return Undefined;
        }
    }

    private static SqlValue FromJsonNumber(JsonElement element)
    {
        if (element.TryGetInt64(out var l))
        {
            return FromInt(l);
        }
        // Integers beyond 64 bits stay exact (up to 34 digits); reading the raw UTF-8 text allocates nothing.
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element);
        if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0
            && BigInteger.TryParse(System.Text.Encoding.UTF8.GetString(raw), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var big))
        {
            return FromInt(big);
        }
        return FromDecimal(element.GetDouble());
    }

    public bool IsUndefined => Type == SqlType.Undefined;
    public bool IsNull => Type == SqlType.Null;
    public bool IsNumber => Type is SqlType.Int or SqlType.Decimal;

    /// <summary>True when this Int needs more than 64 bits.</summary>
    public bool IsBigInt => Type == SqlType.Int && _ref is BigInteger;

    public bool AsBool => _bits != 0;

    /// <summary>The Int value (clamped for a big Int: use <see cref="AsBigInteger"/> for those).</summary>
    public long AsLong => _ref is BigInteger b ? (b.Sign < 0 ? long.MinValue : long.MaxValue) : _bits;

    public BigInteger AsBigInteger => _ref is BigInteger b ? b : new BigInteger(_bits);

    public double AsDouble => Type == SqlType.Decimal ? BitConverter.Int64BitsToDouble(_bits)
        : _ref is BigInteger b ? (double)b : _bits;

    public string AsString => (string)_ref!;

    public ReadOnlyMemory<byte> AsBinary => (ReadOnlyMemory<byte>)_ref!;

    /// <summary>The JSON element behind a lazy object or array, if it is one.</summary>
    internal bool TryGetJson(out JsonElement element)
    {
        if (_ref is JsonBox box)
        {
            element = box.Element;
            return true;
        }
        element = default;
        return false;
    }

    internal SqlObject? MaterializedObject => _ref as SqlObject;
    internal SqlArray? MaterializedArray => _ref as SqlArray;

    /// <summary>Number of elements of an array (0 for other types).</summary>
    public int ArrayLength => Type != SqlType.Array ? 0
        : _ref is JsonBox box ? box.Element.GetArrayLength() : ((SqlArray)_ref!).Count;

    /// <summary>Element <paramref name="index"/> of an array, Undefined when out of range.</summary>
    public SqlValue GetElement(int index)
    {
        if (Type != SqlType.Array || index < 0)
        {
            return Undefined;
        }
        if (_ref is JsonBox box)
        {
            return index < box.Element.GetArrayLength() ? FromJson(box.Element[index]) : Undefined;
        }
        var array = (SqlArray)_ref!;
        return index < array.Count ? array[index] : Undefined;
    }

    /// <summary>The elements of an array (empty for other types).</summary>
    public ArrayEnumerable Elements => new(this);

    /// <summary>Attribute <paramref name="name"/> of an object (case-sensitive), Undefined when absent.</summary>
    public SqlValue GetMember(string name)
    {
        if (Type != SqlType.Object)
        {
            return Undefined;
        }
        if (_ref is JsonBox box)
        {
            return box.Element.TryGetProperty(name, out var child) ? FromJson(child) : Undefined;
        }
        return ((SqlObject)_ref!).TryGetValue(name, out var value) ? value : Undefined;
    }

    /// <summary>The attributes of an object in document order (empty for other types).</summary>
    public ObjectEnumerable Members => new(this);

    /// <summary>Number of attributes of an object.</summary>
    public int MemberCount
    {
        get
        {
            if (Type != SqlType.Object)
            {
                return 0;
            }
            if (_ref is SqlObject o)
            {
                return o.Count;
            }
            var n = 0;
            foreach (var _ in ((JsonBox)_ref!).Element.EnumerateObject())
            {
                n++;
            }
            return n;
        }
    }

    /// <summary>A materialised, mutable copy of this object's attributes (for merging and <c>SELECT *, …</c>).</summary>
    public SqlObject ToSqlObject()
    {
        var result = new SqlObject();
        foreach (var member in Members)
        {
            result[member.Key] = member.Value;
        }
        return result;
    }

    /// <summary>A materialised copy of this array's elements.</summary>
    public SqlArray ToSqlArray()
    {
        var result = new SqlArray(ArrayLength);
        foreach (var element in Elements)
        {
            result.Add(element);
        }
        return result;
    }

    /// <summary>Deep equality as AWS's <c>=</c> defines it for two defined values (Int 1 equals Decimal 1.0).</summary>
    public bool Equals(SqlValue other) => SqlEquality.AreEqual(this, other);

    public override bool Equals(object? obj) => obj is SqlValue v && Equals(v);

    public override int GetHashCode() => Type switch
    {
        SqlType.Int or SqlType.Decimal => AsDouble.GetHashCode(),
        SqlType.String => AsString.GetHashCode(StringComparison.Ordinal),
        SqlType.Boolean => AsBool.GetHashCode(),
        _ => (int)Type,
    };

    public static bool operator ==(SqlValue left, SqlValue right) => left.Equals(right);
    public static bool operator !=(SqlValue left, SqlValue right) => !left.Equals(right);

    /// <summary>The value as compact JSON (2016-03-23 number rules); "Undefined" for Undefined. For diagnostics and tests.</summary>
    public override string ToString() => IsUndefined ? "Undefined" : SqlJson.Serialize(this, SqlVersion.V2016_03_23);

    private sealed class JsonBox(JsonElement element)
    {
        public readonly JsonElement Element = element;
    }

    /// <summary>Allocation-free enumeration of array elements.</summary>
    public readonly struct ArrayEnumerable(SqlValue array)
    {
        public ArrayEnumerator GetEnumerator() => new(array);
    }

    public struct ArrayEnumerator
    {
        private readonly SqlValue _array;
        private readonly int _length;
        private JsonElement.ArrayEnumerator _json;
        private readonly bool _isJson;
        private int _index;

        internal ArrayEnumerator(SqlValue array)
        {
            _array = array;
            _index = -1;
            _isJson = array.TryGetJson(out var element);
            _json = _isJson ? element.EnumerateArray() : default;
            _length = array.Type == SqlType.Array && !_isJson ? ((SqlArray)array._ref!).Count : 0;
        }

        public bool MoveNext() => _isJson ? _json.MoveNext() : ++_index < _length;

        public readonly SqlValue Current => _isJson ? FromJson(_json.Current) : ((SqlArray)_array._ref!)[_index];
    }

    /// <summary>Allocation-free enumeration of object attributes.</summary>
    public readonly struct ObjectEnumerable(SqlValue obj)
    {
        public ObjectEnumerator GetEnumerator() => new(obj);
    }

    public struct ObjectEnumerator
    {
        private readonly SqlObject? _object;
        private JsonElement.ObjectEnumerator _json;
        private readonly bool _isJson;
        private int _index;

        internal ObjectEnumerator(SqlValue obj)
        {
            _index = -1;
            _isJson = obj.TryGetJson(out var element) && obj.Type == SqlType.Object;
            _json = _isJson ? element.EnumerateObject() : default;
            _object = obj.Type == SqlType.Object ? obj._ref as SqlObject : null;
        }

        public bool MoveNext() => _isJson ? _json.MoveNext() : _object is not null && ++_index < _object.Count;

        public readonly KeyValuePair<string, SqlValue> Current
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                if (_isJson)
                {
                    var p = _json.Current;
                    return new KeyValuePair<string, SqlValue>(p.Name, FromJson(p.Value));
                }
                return _object!.GetAt(_index);
            }
        }
    }
}
