using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using GpuCascade.Operations;

namespace GpuCascade.Scenarios;

/// <summary>Reads YAML or JSON text into a <see cref="ScenarioNode"/> tree; syntax errors carry line and column.</summary>
internal static partial class ScenarioSyntax
{
    /// <summary>Deepest nesting of lists and maps accepted (a scenario needs about eight).</summary>
    public const int MaxDepth = 64;
    /// <summary>Most nodes a scenario may expand to, aliases counted as often as they are used: more than a 64 MiB file
    /// can spell out without aliases, and far below what an alias bomb (10 levels of 10 aliases) asks for.</summary>
    public const long MaxNodes = 32L << 20;

    /// <summary>
    /// Reads YAML from the parser's events with an explicit stack (no recursion, so deep nesting is an error, not a
    /// stack overflow). An alias shares the anchored node (no copy) and counts its size again, so an alias bomb is
    /// refused by <see cref="MaxNodes"/> before anything is expanded; an alias to a node still open is recursive.
    /// </summary>
    public static ScenarioNode FromYaml(string text)
    {
        var scanner = new Scanner(new StringReader(text));
        var parser = new Parser(scanner);
        try
        {
            return ReadYaml(parser);
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
    }

    /// <summary>A list or map being read: its items (a map's alternate keys and values) and its expanded size.</summary>
    private sealed class Frame(bool isMap, string? anchor, Mark start)
    {
        public readonly bool IsMap = isMap;
        public readonly string? Anchor = anchor;
        public readonly Mark Start = start;
        public readonly List<ScenarioNode> Items = [];
        public readonly HashSet<string> Keys = new(StringComparer.Ordinal);
        public long Size = 1;
    }

    private static ScenarioNode ReadYaml(Parser parser)
    {
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _)) throw Syntax("the scenario is empty", null, null);
        parser.Consume<DocumentStart>();
        var anchors = new Dictionary<string, (ScenarioNode Node, long Size)>(StringComparer.Ordinal);
        var open = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<Frame>();
        ScenarioNode? root = null;
        while (root is null)
        {
            var e = parser.Consume<ParsingEvent>();
            // A tag (!!python/object:..., !!binary, !custom) asks a YAML loader to build something; a scenario is plain
            // data, so a tag is refused where it stands rather than silently dropped.
            if (e is NodeEvent { Tag.IsEmpty: false } tagged)
                throw Syntax($"YAML tags are not part of a scenario: remove {Echo.Clip(tagged.Tag.Value.Replace("tag:yaml.org,2002:", "!!"))} (a scenario holds plain " +
                             "numbers, text, lists and maps)", (int)tagged.Start.Line, (int)tagged.Start.Column);
            switch (e)
            {
                case Scalar scalar:
                {
                    bool isNull = scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";
                    var node = new ScalarNode(scalar.Value, isNull, (int)scalar.Start.Line, (int)scalar.Start.Column);
                    root = Add(stack, anchors, Anchor(scalar), node, 1, scalar.Start);
                    break;
                }
                case AnchorAlias alias:
                {
                    string name = alias.Value.Value;
                    if (!anchors.TryGetValue(name, out var target))
                        throw Syntax(open.Contains(name) ? $"malformed YAML: recursive alias *{name} (it refers to a node that contains it)"
                            : $"malformed YAML: unknown alias *{name}", (int)alias.Start.Line, (int)alias.Start.Column);
                    root = Add(stack, anchors, null, target.Node, target.Size, alias.Start);
                    break;
                }
                case NodeEvent start and (SequenceStart or MappingStart):
                {
                    if (stack.Count >= MaxDepth)
                        throw Syntax($"the scenario nests lists and maps deeper than {MaxDepth} levels", (int)start.Start.Line, (int)start.Start.Column);
                    var frame = new Frame(start is MappingStart, Anchor(start), start.Start);
                    if (frame.Anchor is not null) open.Add(frame.Anchor);
                    stack.Push(frame);
                    break;
                }
                case SequenceEnd or MappingEnd:
                {
                    var frame = stack.Pop();
                    if (frame.Anchor is not null) open.Remove(frame.Anchor);
                    int line = (int)frame.Start.Line, column = (int)frame.Start.Column;
                    ScenarioNode node = frame.IsMap
                        ? new MapNode(Enumerable.Range(0, frame.Items.Count / 2)
                            .Select(i => new KeyValuePair<ScalarNode, ScenarioNode>((ScalarNode)frame.Items[2 * i], frame.Items[2 * i + 1])).ToList(), line, column)
                        : new SequenceNode(frame.Items, line, column);
                    root = Add(stack, anchors, frame.Anchor, node, frame.Size, frame.Start);
                    break;
                }
                default:
                    throw Syntax($"malformed YAML: unexpected {e.GetType().Name}", (int)e.Start.Line, (int)e.Start.Column);
            }
        }
        parser.Consume<DocumentEnd>();
        if (parser.Accept<DocumentStart>(out var second))
            throw Syntax("a scenario file holds one YAML document", (int)second.Start.Line, (int)second.Start.Column);
        return root;
    }

    private static string? Anchor(NodeEvent e) => e.Anchor.IsEmpty ? null : e.Anchor.Value;

    /// <summary>Adds a finished node to the list or map being read; returns it when it is the root.</summary>
    private static ScenarioNode? Add(Stack<Frame> stack, Dictionary<string, (ScenarioNode, long)> anchors, string? anchor,
        ScenarioNode node, long size, Mark at)
    {
        if (anchor is not null) anchors[anchor] = (node, size);
        if (stack.Count == 0) return node;
        var frame = stack.Peek();
        if (frame.IsMap && frame.Items.Count % 2 == 0)
        {
            if (node is not ScalarNode key) throw Syntax("keys must be plain names", (int)at.Line, (int)at.Column);
            if (!frame.Keys.Add(key.Text)) throw Syntax($"malformed YAML: Duplicate key {key.Text}", (int)at.Line, (int)at.Column);
        }
        frame.Items.Add(node);
        frame.Size += size;
        if (frame.Size > MaxNodes)
            throw Syntax($"the scenario expands to more than {MaxNodes:N0} values (aliases counted each time they are used): " +
                         "an alias bomb or a runaway file", (int)at.Line, (int)at.Column);
        return null;
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
