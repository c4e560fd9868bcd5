using GpuCascade.Operations;

namespace GpuCascade.Scenarios;

/// <summary>
/// Typed reads of <see cref="ScenarioNode"/>s with errors named by field path. It also remembers the node
/// of every path it read, so the validator's errors can be given the line and column of the file.
/// </summary>
internal sealed class NodeReader
{
    private readonly Dictionary<string, ScenarioNode> nodes = new(StringComparer.Ordinal);

    public Diagnostics Errors { get; } = new();

    /// <summary>Paths read as a number (any kind), and those read as an integer: what a <c>--vary</c> key may set.</summary>
    public HashSet<string> NumberPaths { get; } = new(StringComparer.Ordinal);
    /// <inheritdoc cref="NumberPaths"/>
    public HashSet<string> IntegerPaths { get; } = new(StringComparer.Ordinal);

    private void Numeric(string path, bool integer)
    {
        NumberPaths.Add(path);
        if (integer) IntegerPaths.Add(path);
    }

    public ScenarioNode Visit(ScenarioNode node, string path)
    {
        nodes.TryAdd(path, node);
        return node;
    }

    /// <summary>The error with the position of its field, or of the nearest enclosing field that was read.</summary>
    public ScenarioError Locate(ScenarioError error)
    {
        if (error.Line is not null) return error;
        for (string path = error.Path; path.Length > 0; path = Parent(path))
            if (nodes.TryGetValue(path, out var node) && node.Line is not null)
                return error with { Line = node.Line, Column = node.Column };
        return error;
    }

    private static string Parent(string path)
    {
        int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }

    public MapReader? Map(ScenarioNode node, string path) =>
        Visit(node, path) is MapNode map ? new MapReader(this, map, path) : Mismatch<MapReader>(node, path, "a mapping");

    public IReadOnlyList<ScenarioNode>? Items(ScenarioNode node, string path) =>
        Visit(node, path) is SequenceNode seq ? seq.Items : Mismatch<IReadOnlyList<ScenarioNode>>(node, path, "a list");

    public string? Text(ScenarioNode node, string path) =>
        Scalar(node, path) is string text ? text : Mismatch<string>(node, path, "text");

    public double? Number(ScenarioNode node, string path)
    {
        Numeric(path, false);
        return Scalar(node, path) is string t && ScenarioNumbers.TryParseDouble(t, out double v) ? v : MismatchValue<double>(node, path, "a number");
    }

    public int? Int(ScenarioNode node, string path, long min = int.MinValue, long max = int.MaxValue)
    {
        Numeric(path, true);
        return Ranged(node, path, Math.Max(min, int.MinValue), Math.Min(max, int.MaxValue), int.MinValue, int.MaxValue) is long v ? (int)v : null;
    }

    /// <summary>An integer in [min, max]: "must be an integer in 1 .. 10000000, got 3e9" otherwise (the type's own range
    /// is not mentioned when it is all of long).</summary>
    private long? Ranged(ScenarioNode node, string path, long min, long max, long typeMin, long typeMax)
    {
        // Within the type, the validator judges the range (so that every value error is reported at once); beyond it,
        // here, in the validator's words.
        if (Scalar(node, path) is string t && ScenarioNumbers.TryParseInteger(t, typeMin, typeMax, out long v)) return v;
        if (node is ScalarNode { IsNull: false } s && (min != long.MinValue || max != long.MaxValue))
        {
            string got = s.Text.Trim().Length <= Echo.MaxCharacters && ScenarioNumbers.TryParseDouble(s.Text, out _) ? s.Text.Trim() : Echo.Quote(s.Text);
            Errors.Add(path, $"must be an integer in {min} .. {max}, got {got}", node);
            return null;
        }
        return MismatchValue<long>(node, path, "an integer");
    }

    public long? Long(ScenarioNode node, string path, long min = long.MinValue, long max = long.MaxValue)
    {
        Numeric(path, true);
        return Ranged(node, path, min, max, long.MinValue, long.MaxValue);
    }

    public ulong? UInt64(ScenarioNode node, string path)
    {
        Numeric(path, true);
        return Scalar(node, path) is string t && ScenarioNumbers.TryParseUInt64(t, out ulong v)
            ? v : MismatchValue<ulong>(node, path, "a non-negative integer below 2^64");
    }

    public Duration? Duration(ScenarioNode node, string path)
    {
        if (Scalar(node, path) is not string t) return MismatchValue<Duration>(node, path, "a duration such as 30s, 5m, 6h or 1d");
        if (Scenarios.Duration.TryParse(t, out var d, out string error)) return d;
        Errors.Add(path, error, node);
        return null;
    }

    /// <summary>One of a few words, for example <c>long</c> or <c>short</c>.</summary>
    public T? Choice<T>(ScenarioNode node, string path, params (string Word, T Value)[] options) where T : struct
    {
        if (Scalar(node, path) is string t)
            foreach (var (word, value) in options)
                if (t == word) return value;
        string words = string.Join(" or ", options.Select(o => o.Word));
        return MismatchValue<T>(node, path, words);
    }

    private static string? Scalar(ScenarioNode node, string path) =>
        node is ScalarNode { IsNull: false } s ? s.Text : null;

    private T? Mismatch<T>(ScenarioNode node, string path, string expected) where T : class
    {
        Errors.Add(path, $"must be {expected}, got {node.Describe()}", node);
        return null;
    }

    private T? MismatchValue<T>(ScenarioNode node, string path, string expected) where T : struct
    {
        Errors.Add(path, $"must be {expected}, got {node.Describe()}", node);
        return null;
    }
}

/// <summary>
/// Reads the keys of one mapping. Every key asked for (present or not) counts as known, so
/// <see cref="Done"/> reports the others as unknown with the closest known key as a suggestion.
/// </summary>
internal sealed class MapReader(NodeReader reader, MapNode map, string path)
{
    private readonly List<string> known = new(); // in the order asked, which is the schema's order

    public string Path => path;
    public MapNode Node => map;

    public string PathOf(string key) => FieldPath.Key(path, key);

    /// <summary>The value of a key, or null when absent.</summary>
    public ScenarioNode? this[string key]
    {
        get
        {
            if (!known.Contains(key)) known.Add(key);
            return map.Get(key) is { } node ? reader.Visit(node, PathOf(key)) : null;
        }
    }

    public bool Has(string key) => this[key] is not null;

    /// <summary>The value of a key; a "required" error when absent.</summary>
    public ScenarioNode? Required(string key)
    {
        var node = this[key];
        if (node is null) reader.Errors.Add(PathOf(key), "required", map);
        return node;
    }

    private ScenarioNode? Get(string key, bool required) => required ? Required(key) : this[key];

    public double? Number(string key, bool required = false) => Get(key, required) is { } n ? reader.Number(n, PathOf(key)) : null;
    public int? Int(string key, bool required = false, long min = int.MinValue, long max = int.MaxValue) =>
        Get(key, required) is { } n ? reader.Int(n, PathOf(key), min, max) : null;
    public long? Long(string key, bool required = false, long min = long.MinValue, long max = long.MaxValue) =>
        Get(key, required) is { } n ? reader.Long(n, PathOf(key), min, max) : null;
    public ulong? UInt64(string key, bool required = false) => Get(key, required) is { } n ? reader.UInt64(n, PathOf(key)) : null;
    public string? Text(string key, bool required = false) => Get(key, required) is { } n ? reader.Text(n, PathOf(key)) : null;
    public Duration? Duration(string key, bool required = false) => Get(key, required) is { } n ? reader.Duration(n, PathOf(key)) : null;
    public MapReader? Map(string key, bool required = false) => Get(key, required) is { } n ? reader.Map(n, PathOf(key)) : null;
    public IReadOnlyList<ScenarioNode>? Items(string key, bool required = false) => Get(key, required) is { } n ? reader.Items(n, PathOf(key)) : null;

    public T? Choice<T>(string key, bool required, params (string Word, T Value)[] options) where T : struct =>
        Get(key, required) is { } n ? reader.Choice(n, PathOf(key), options) : null;

    /// <summary>Rejects a key that does not belong to the form in use.</summary>
    public void Forbid(string key, string reason)
    {
        if (this[key] is { } node) reader.Errors.Add(PathOf(key), reason, node);
    }

    /// <summary>Reports keys that were never asked for.</summary>
    public void Done()
    {
        foreach (var (key, _) in map.Entries)
        {
            if (known.Contains(key.Text)) continue;
            string message = DidYouMean.Closest(key.Text, known) is string s
                ? $"unknown key (did you mean '{s}'?)"
                : $"unknown key; expected one of {string.Join(", ", known)}";
            reader.Errors.Add(PathOf(key.Text), message, key);
        }
    }
}
