using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GpuCascade.Scenarios;

/// <summary>
/// A scenario written back as YAML in its normalised form (<c>gpucascade scenario check</c>): the content of
/// <see cref="ScenarioJson"/> (defaults filled in except mechanisms left off, margin rules per asset, listed cohorts in the cross-margin form with
/// units, entry prices and collateral, a generated book as its generator's parameters) laid out as YAML for people: block
/// mappings, and one-line flow collections where they fit. Numbers keep the canonical JSON's shortest round-trip text, so
/// <see cref="ScenarioLoader.LoadYaml"/> gives back an equal scenario with the same <see cref="ScenarioJson.Sha256"/>.
/// </summary>
public static partial class ScenarioYaml
{
    /// <summary>Longest line a collection is written on as a flow collection (<c>{a: 1, b: 2}</c>); longer ones are blocks.</summary>
    public const int FlowWidth = 100;

    private static readonly JsonSerializerOptions Quoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The normalised scenario as YAML text (ending in a newline).</summary>
    public static string Normalised(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        using var document = JsonDocument.Parse(ScenarioJson.Canonical(scenario));
        var sb = new StringBuilder();
        foreach (var property in document.RootElement.EnumerateObject()) Entry(sb, 0, property.Name, property.Value);
        return sb.ToString();
    }

    /// <summary><c>key: value</c> at <paramref name="indent"/>: inline when the value fits on the line, else a block below.</summary>
    private static void Entry(StringBuilder sb, int indent, string key, JsonElement value)
    {
        sb.Append(' ', indent).Append(Scalar(key)).Append(':');
        if (Inline(value, indent + key.Length + 2) is { } text)
        {
            sb.Append(' ').Append(text).Append('\n');
            return;
        }
        sb.Append('\n');
        Block(sb, indent + 2, value);
    }

    /// <summary>A map or list as a block at <paramref name="indent"/>.</summary>
    private static void Block(StringBuilder sb, int indent, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject()) Entry(sb, indent, property.Name, property.Value);
            return;
        }
        foreach (var item in value.EnumerateArray())
        {
            sb.Append(' ', indent).Append("- ");
            if (Inline(item, indent + 2) is { } text)
            {
                sb.Append(text).Append('\n');
                continue;
            }
            if (item.ValueKind == JsonValueKind.Array)
            {
                sb.Length -= 1; // "-" alone, the list below it
                sb.Append('\n');
                Block(sb, indent + 2, item);
                continue;
            }
            // A map as a list item: its first key on the dash's line, the rest aligned under it.
            bool first = true;
            foreach (var property in item.EnumerateObject())
            {
                var line = new StringBuilder();
                Entry(line, indent + 2, property.Name, property.Value);
                sb.Append(first ? line.ToString(indent + 2, line.Length - indent - 2) : line.ToString());
                first = false;
            }
        }
    }

    /// <summary>The value on one line (a scalar, or a flow collection that fits), or null when it needs a block.</summary>
    private static string? Inline(JsonElement value, int column)
    {
        if (value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)) return Scalar(value);
        if (value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any()) return "{}";
        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0) return "[]";
        // A matrix (the correlation) reads best one row per line.
        if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.Array)) return null;
        string flow = Flow(value);
        // A list of numbers (a correlation row) stays on one line however long: as a block it would read worse.
        bool scalars = value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array));
        return scalars || column + flow.Length <= FlowWidth ? flow : null;
    }

    private static string Flow(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(", ", value.EnumerateObject().Select(p => $"{Scalar(p.Name)}: {Flow(p.Value)}")) + "}",
        JsonValueKind.Array => "[" + string.Join(", ", value.EnumerateArray().Select(Flow)) + "]",
        _ => Scalar(value),
    };

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Scalar(value.GetString()!),
        JsonValueKind.Null => "null",
        _ => value.GetRawText(), // numbers in their shortest round-trip text, true, false
    };

    /// <summary>A string plain when YAML reads it back as the same text, double-quoted (JSON escapes are YAML's) otherwise.</summary>
    private static string Scalar(string text) =>
        Plain().IsMatch(text) && text is not ("null" or "Null" or "NULL" or "~")
            ? text
            : JsonSerializer.Serialize(text, Quoting);

    [GeneratedRegex(@"^[A-Za-z0-9_.][A-Za-z0-9_.+-]*$")]
    private static partial Regex Plain();
}
