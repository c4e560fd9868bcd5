using GpuCascade.Operations;

namespace GpuCascade.Scenarios;

/// <summary>
/// A format-neutral tree of a scenario document. YAML and JSON are both read into it, so one binder
/// gives both formats the same semantics. Line and column are 1-based and known for YAML only.
/// </summary>
internal abstract class ScenarioNode(int? line, int? column)
{
    public int? Line { get; } = line;
    public int? Column { get; } = column;

    /// <summary>What the node is, for messages such as "must be a number, got a mapping".</summary>
    public abstract string Describe();
}

/// <summary>A scalar kept as text: numbers are parsed by the binder (invariant culture), not by the parser.</summary>
internal sealed class ScalarNode(string text, bool isNull, int? line = null, int? column = null)
    : ScenarioNode(line, column)
{
    public string Text { get; } = text;
    /// <summary>YAML <c>~</c>, <c>null</c> or an empty value; JSON <c>null</c>.</summary>
    public bool IsNull { get; } = isNull;

    public override string Describe() => IsNull ? "nothing" : Echo.Quote(Text);
}

/// <summary>Entries in document order; keys are unique (readers reject duplicates).</summary>
internal sealed class MapNode(IReadOnlyList<KeyValuePair<ScalarNode, ScenarioNode>> entries, int? line = null, int? column = null)
    : ScenarioNode(line, column)
{
    public IReadOnlyList<KeyValuePair<ScalarNode, ScenarioNode>> Entries { get; } = entries;

    public ScenarioNode? Get(string key)
    {
        foreach (var (k, v) in Entries)
            if (k.Text == key) return v;
        return null;
    }

    public override string Describe() => "a mapping";
}

internal sealed class SequenceNode(IReadOnlyList<ScenarioNode> items, int? line = null, int? column = null)
    : ScenarioNode(line, column)
{
    public IReadOnlyList<ScenarioNode> Items { get; } = items;

    public override string Describe() => "a list";
}
