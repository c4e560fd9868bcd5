using System.Text.Json;

namespace GpuCascade.Report;

/// <summary>
/// A value inside a result document with its JSON Pointer (RFC 6901, <c>/badDebt/es/0.99</c>) and its document's name:
/// what the report reads, it reads through this, so a missing field is an error naming the file and the pointer, and
/// every number shown can carry the pointer it came from and its document's number in the report (<c>data-doc</c>).
/// </summary>
internal readonly record struct Field(JsonElement Element, string Pointer, string Source, int Doc)
{
    public static Field Root(JsonDocument document, string source, int doc) => new(document.RootElement, "", source, doc);

    public bool IsNull => Element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    public bool Has(string name) => Element.ValueKind == JsonValueKind.Object && Element.TryGetProperty(name, out _);

    /// <summary>The member <paramref name="name"/>; a <see cref="ReportException"/> when it is absent.</summary>
    public Field this[string name]
    {
        get
        {
            if (Element.ValueKind != JsonValueKind.Object)
                throw new ReportException($"{Source}: {Where} should be an object, got {Kind(Element)}");
            if (!Element.TryGetProperty(name, out var value))
                throw new ReportException($"{Source}: missing field {Child(name).Where}");
            return Child(name, value);
        }
    }

    /// <summary>The member <paramref name="name"/>, or null when it is absent or JSON null.</summary>
    public Field? Optional(string name) =>
        Element.ValueKind == JsonValueKind.Object && Element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? Child(name, value) : null;

    public Field this[int index] => new(Element[index], $"{Pointer}/{index}", Source, Doc);

    private Field Child(string name, JsonElement value = default) =>
        new(value, $"{Pointer}/{name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}", Source, Doc);

    /// <summary>Where the value is, for messages: its pointer, or "the document" at the root.</summary>
    public string Where => Pointer.Length == 0 ? "the document" : Pointer;

    /// <summary>The number; NaN for JSON null (how the writers give NaN and "no bound").</summary>
    public double Number
    {
        get
        {
            if (IsNull) return double.NaN;
            // A varied value of "no limit" is written as a scenario's JSON writes it.
            if (Element.ValueKind == JsonValueKind.String && Element.GetString() is ".inf" or "-.inf")
                return Element.GetString() == ".inf" ? double.PositiveInfinity : double.NegativeInfinity;
            if (Element.ValueKind != JsonValueKind.Number)
                throw new ReportException($"{Source}: {Where} should be a number, got {Kind(Element)}");
            return Element.GetDouble();
        }
    }

    public string Text
    {
        get
        {
            if (IsNull) return "";
            return Element.ValueKind switch
            {
                JsonValueKind.String => Element.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => Element.GetRawText(),
                _ => throw new ReportException($"{Source}: {Where} should be a string, got {Kind(Element)}"),
            };
        }
    }

    /// <summary>A day written <c>yyyy-MM-dd</c>.</summary>
    public DateTime Date =>
        DateTime.TryParseExact(Text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day)
            ? day : throw new ReportException($"{Source}: {Where} should be a date (yyyy-MM-dd), got {Operations.Echo.Quote(Text)}");

    public bool Bool => Element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new ReportException($"{Source}: {Where} should be true or false, got {Kind(Element)}"),
    };

    /// <summary>The items of an array (none for null).</summary>
    public IEnumerable<Field> Items
    {
        get
        {
            if (IsNull) return [];
            if (Element.ValueKind != JsonValueKind.Array)
                throw new ReportException($"{Source}: {Where} should be an array, got {Kind(Element)}");
            var self = this;
            return Element.EnumerateArray().Select((e, i) => new Field(e, $"{self.Pointer}/{i}", self.Source, self.Doc)).ToList();
        }
    }

    /// <summary>The members of an object, in document order (none for null).</summary>
    public IEnumerable<(string Name, Field Value)> Members
    {
        get
        {
            if (IsNull) return [];
            if (Element.ValueKind != JsonValueKind.Object)
                throw new ReportException($"{Source}: {Where} should be an object, got {Kind(Element)}");
            var self = this;
            return Element.EnumerateObject().Select(p => (p.Name, self.Child(p.Name, p.Value))).ToList();
        }
    }

    /// <summary>The numbers of an array, NaN for nulls.</summary>
    public double[] Numbers => Items.Select(f => f.Number).ToArray();

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
