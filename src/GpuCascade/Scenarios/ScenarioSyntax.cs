using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GpuCascade.Scenarios;

/// <summary>Reads YAML or JSON text into a <see cref="ScenarioNode"/> tree; syntax errors carry line and column.</summary>
internal static partial class ScenarioSyntax
{
    public static ScenarioNode FromYaml(string text)
    {
        var scanner = new Scanner(new StringReader(text));
        var stream = new YamlStream();
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            throw Syntax($"malformed YAML: {e.Message}", (int)e.Start.Line, (int)e.Start.Column);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet fails this way on some unterminated flow collections.
            var at = scanner.CurrentPosition;
            throw Syntax("malformed YAML: unexpected structure (an unclosed [ or {?)", (int)at.Line, (int)at.Column);
        }
        if (stream.Documents.Count == 0) throw Syntax("the scenario is empty", null, null);
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            throw Syntax("a scenario file holds one YAML document", (int)second.Line, (int)second.Column);
        }
        return Convert(stream.Documents[0].RootNode);
    }

    public static ScenarioNode FromJson(string text)
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        try
        {
            using var document = JsonDocument.Parse(text, options);
            return Convert(document.RootElement);
        }
        catch (JsonException e)
        {
            // JsonException positions are 0-based; its message repeats them, so drop that part.
            string message = JsonPositionSuffix().Replace(e.Message, "");
            throw Syntax($"malformed JSON: {message}", (int?)e.LineNumber + 1, (int?)e.BytePositionInLine + 1);
        }
    }

    private static ScenarioNode Convert(YamlNode node)
    {
        int line = (int)node.Start.Line, column = (int)node.Start.Column;
        switch (node)
        {
            case YamlScalarNode s:
                string value = s.Value ?? "";
                bool isNull = s.Style == YamlDotNet.Core.ScalarStyle.Plain && value is "" or "~" or "null" or "Null" or "NULL";
                return new ScalarNode(value, isNull, line, column);
            case YamlSequenceNode seq:
                return new SequenceNode(seq.Children.Select(Convert).ToList(), line, column);
            case YamlMappingNode map:
                var entries = new List<KeyValuePair<ScalarNode, ScenarioNode>>();
                foreach (var (key, child) in map.Children)
                {
                    if (Convert(key) is not ScalarNode k)
                        throw Syntax("keys must be plain names", (int)key.Start.Line, (int)key.Start.Column);
                    entries.Add(new(k, Convert(child)));
                }
                return new MapNode(entries, line, column); // YamlDotNet already rejects duplicate keys
            default:
                throw Syntax($"unsupported YAML node {node.NodeType}", line, column);
        }
    }

    private static ScenarioNode Convert(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var entries = new List<KeyValuePair<ScalarNode, ScenarioNode>>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!seen.Add(property.Name)) throw Syntax($"malformed JSON: duplicate key '{property.Name}'", null, null);
                    entries.Add(new(new ScalarNode(property.Name, false), Convert(property.Value)));
                }
                return new MapNode(entries);
            case JsonValueKind.Array:
                return new SequenceNode(element.EnumerateArray().Select(Convert).ToList());
            case JsonValueKind.String:
                return new ScalarNode(element.GetString()!, false);
            case JsonValueKind.Null:
                return new ScalarNode("null", true);
            default: // numbers keep their text (1.0e7), booleans read as true/false
                return new ScalarNode(element.GetRawText(), false);
        }
    }

    private static ScenarioException Syntax(string message, int? line, int? column) =>
        new(new ScenarioError("", message, line, column));

    [GeneratedRegex(@"\s*(Path: \S*)?\s*\|?\s*LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$")]
    private static partial Regex JsonPositionSuffix();
}
