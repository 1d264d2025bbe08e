namespace IoTRuleEmu.Sql.Runtime;

/// <summary>Deep equality of the <c>=</c> operator for two defined values.</summary>
public static class SqlEquality
{
    /// <summary>
    /// Int/Decimal compare by numeric value (<c>1 = 1.0</c>); strings case-sensitively; arrays element by element
    /// in order; objects by keys and values in any order; Boolean and Null by value; different types are never equal.
    /// </summary>
    public static bool AreEqual(SqlValue left, SqlValue right)
    {
        if (left.IsNumber && right.IsNumber)
        {
            if (left.Type == SqlType.Int && right.Type == SqlType.Int)
            {
                return left.IsBigInt || right.IsBigInt ? left.AsBigInteger == right.AsBigInteger : left.AsLong == right.AsLong;
            }
            return left.AsDouble == right.AsDouble;
        }
        if (left.Type != right.Type)
        {
            return false;
        }
        switch (left.Type)
        {
            case SqlType.Undefined:
            case SqlType.Null:
                return true;
            case SqlType.Boolean:
                return left.AsBool == right.AsBool;
            case SqlType.String:
                return string.Equals(left.AsString, right.AsString, StringComparison.Ordinal);
            case SqlType.Binary:
                return left.AsBinary.Span.SequenceEqual(right.AsBinary.Span);
            case SqlType.Array:
                if (left.ArrayLength != right.ArrayLength)
                {
                    return false;
                }
                var i = 0;
                foreach (var element in left.Elements)
                {
                    if (!AreEqual(element, right.GetElement(i++)))
                    {
                        return false;
                    }
                }
                return true;
            case SqlType.Object:
                if (left.MemberCount != right.MemberCount)
                {
                    return false;
                }
                foreach (var member in left.Members)
                {
                    var other = right.GetMember(member.Key);
                    if (other.IsUndefined || !AreEqual(member.Value, other))
                    {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }
}
