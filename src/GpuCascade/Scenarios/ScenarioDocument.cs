using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using GpuCascade.Operations;

namespace GpuCascade.Scenarios;

/// <summary>
/// A scenario as a document (the tree read from YAML or JSON, before binding) that can be changed by key path in the
/// scenario's own spelling, such as <c>venue.maintenanceMargin</c>, <c>assets[BTC].depth1pct</c> or
/// <c>venue.liquidation.tranche</c>, and then bound and validated. <c>compare --vary</c> and <c>calibrate --vary</c>
/// change scenarios this way, so every error names the key and the field as the file would.
/// </summary>
/// <remarks>
/// A change sets a number. An absent key is created (with the maps above it); a number replaces a map (a per-asset
/// margin map becomes one rate for every asset); <c>tranche</c> or <c>dustNotional</c> under <c>liquidation</c> turns
/// <c>full</c> into <c>{mode: partial, ...}</c>. A list item is selected by index (<c>stress[0]</c>), by
/// <c>symbol</c> (<c>assets[BTC]</c>) or by <c>name</c> (<c>book.cohorts[whales]</c>). The key must name a field
/// the scenario grammar reads as a number there; anything else is an error naming the key.
/// </remarks>
public sealed partial class ScenarioDocument
{
    private readonly ScenarioNode _root;

    private ScenarioDocument(ScenarioNode root, string text)
    {
        _root = root;
        Text = text;
    }

    /// <summary>The text the document was read from (before any change), for fingerprints of checkpoints.</summary>
    public string Text { get; }

    /// <summary>Where the files the scenario names lie (its own folder, when read from a file); null: the current directory.</summary>
    internal string? BaseDirectory { get; private init; }

    /// <summary>Parses a YAML scenario (not yet validated).</summary>
    /// <exception cref="ScenarioException">The text is malformed.</exception>
    public static ScenarioDocument FromYaml(string text) => new(ScenarioSyntax.FromYaml(text ?? throw new ArgumentNullException(nameof(text))), text);

    /// <summary>Parses a JSON scenario (not yet validated).</summary>
    /// <exception cref="ScenarioException">The text is malformed.</exception>
    public static ScenarioDocument FromJson(string text) => new(ScenarioSyntax.FromJson(text ?? throw new ArgumentNullException(nameof(text))), text);

    /// <summary>Reads a file: <c>.json</c> as JSON, anything else as YAML.</summary>
    /// <exception cref="ScenarioException">The file is missing, unreadable or malformed.</exception>
    public static ScenarioDocument Load(string path)
    {
        string text = ScenarioLoader.ReadFile(path);
        var document = ScenarioLoader.IsJson(path) ? FromJson(text) : FromYaml(text);
        return document.WithBaseDirectory(ScenarioLoader.DirectoryOf(path));
    }

    /// <summary>The document with its files found in <paramref name="directory"/> (null: the current directory).</summary>
    internal ScenarioDocument WithBaseDirectory(string? directory) => new(_root, Text) { BaseDirectory = directory };

    /// <summary>The embedded default scenario.</summary>
    public static ScenarioDocument Default => FromYaml(ScenarioLoader.DefaultScenarioText);

    /// <summary>The scenario, bound and validated.</summary>
    /// <exception cref="ScenarioException">The scenario is invalid (every error, with its field path).</exception>
    public Scenario ToScenario()
    {
        var errors = new ScenarioBinder(BaseDirectory).BindAndValidate(_root, out var scenario);
        if (errors.Count > 0) throw new ScenarioException([.. errors]);
        return Remember(scenario!, new Lazy<ScenarioDocument>(this));
    }

    // The document each scenario read from a file or changed by key path came from, so that Scenario.With changes it in
    // the file's own spelling (a cohort's leverage, a volatility that the long-run one follows). Weak: it lives as long as
    // the scenario, and only with that instance (a `with` expression makes another, which falls back to its JSON).
    private static readonly ConditionalWeakTable<Scenario, Lazy<ScenarioDocument>> Sources = new();

    /// <summary>Records where <paramref name="scenario"/> came from (parsed when first needed).</summary>
    internal static Scenario Remember(Scenario scenario, Lazy<ScenarioDocument> source)
    {
        Sources.AddOrUpdate(scenario, source);
        return scenario;
    }

    /// <summary>
    /// The document of a scenario, for <c>Comparison.Run</c> and <c>Calibrator.Run</c>, which change it by key: the text
    /// it was read from by <see cref="ScenarioLoader"/> (with the changes <see cref="Scenario.With(string, double)"/>
    /// made), else its JSON as a person would write it (a scenario from <see cref="ScenarioBuilder"/>; see
    /// <see cref="Scenario.With(string, double)"/>). Binding it gives an equal scenario.
    /// </summary>
    public static ScenarioDocument From(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return Of(scenario, out _);
    }

    /// <summary>
    /// The document of <paramref name="scenario"/>: the one it was read from or changed in, else its JSON as a person
    /// would write it (<see cref="ScenarioJson.Editable"/>), which has no lines a reader could find.
    /// </summary>
    internal static ScenarioDocument Of(Scenario scenario, out bool fromSource)
    {
        fromSource = Sources.TryGetValue(scenario, out var source);
        return fromSource ? source!.Value : FromJson(ScenarioJson.Editable(scenario));
    }

    /// <summary>
    /// <paramref name="scenario"/> with every key path set (in order), bound and validated: the code behind
    /// <see cref="Scenario.With(string, double)"/>, the same as <c>--vary</c>'s. Errors name the key, and the value
    /// checks say which changes produced them.
    /// </summary>
    internal static Scenario Change(Scenario scenario, IReadOnlyList<(string Path, double Value)> changes)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0) return scenario;
        var document = Of(scenario, out bool fromSource);
        try
        {
            foreach (var (path, value) in changes) document = document.Change(path, value, "setting").Document;
        }
        catch (ScenarioException e) when (!fromSource)
        {
            throw new ScenarioException(e.Errors.Select(Unlocated).ToList());
        }
        try
        {
            return document.ToScenario();
        }
        catch (ScenarioException e)
        {
            // The value checks: say which changes produced them.
            string set = string.Join(", ", changes.Select(c => $"{c.Path}={ScenarioNumbers.Format(c.Value)}"));
            throw new ScenarioException(e.Errors.Select(error => fromSource ? error : Unlocated(error))
                .Select(error => error.Message.Contains("(after setting ", StringComparison.Ordinal) ? error
                    : error with { Message = $"{error.Message} (with {set})" }).ToList());
        }
    }

    /// <summary>Without line and column: those of a document written here would point into text nobody has seen.</summary>
    private static ScenarioError Unlocated(ScenarioError error) => error with { Line = null, Column = null };

    /// <summary>
    /// Binds without the validator's value checks (which the caller runs after its own changes, such as holding a
    /// generated book fixed); structural errors are thrown.
    /// </summary>
    internal (Scenario Scenario, NodeReader Reader) BindUnvalidated()
    {
        var binder = new ScenarioBinder(BaseDirectory);
        var scenario = binder.Bind(_root);
        if (scenario is null) throw new ScenarioException(binder.Errors.Errors.Select(binder.Locate).ToList());
        return (scenario, binder.Reader);
    }

    /// <summary>The document with <paramref name="key"/> set to <paramref name="value"/> (checked: see the remarks).</summary>
    /// <exception cref="ScenarioException">The key is malformed, selects nothing, or is not a number in the grammar; or
    /// the changed scenario does not bind (the error names the key and the field).</exception>
    public ScenarioDocument With(string key, double value)
    {
        var (document, _) = Change(key, value);
        return document;
    }

    /// <summary>Whether <paramref name="key"/> is an integer in the grammar (<c>venue.oracleDelaySteps</c>), checked
    /// as <see cref="With"/> checks it, by setting it to <paramref name="probe"/>.</summary>
    public bool IsIntegerKey(string key, double probe) => Change(key, probe).Integer;

    /// <summary>Sets the key, binds the result and checks that the grammar read the key as a number.</summary>
    /// <param name="key">The key path.</param>
    /// <param name="value">Its value.</param>
    /// <param name="origin">How the change is named in errors of the changed scenario (<c>--vary</c>, <c>setting</c>).</param>
    internal (ScenarioDocument Document, bool Integer) Change(string key, double value, string origin = "--vary")
    {
        ArgumentNullException.ThrowIfNull(key);
        // +infinity is written .inf, as in a file: the grammar reads it, and the validator accepts it only where a key's
        // "no limit" is infinite (liquidationCapacity).
        if (double.IsNaN(value) || double.IsNegativeInfinity(value))
            throw Error(key, $"the value must be a finite number or +inf, got {ScenarioNumbers.Format(value)}");
        var segments = Parse(key);
        string text = ScenarioNumbers.Text(value);
        var symbols = (_root as MapNode)?.Get("assets") is SequenceNode assets
            ? assets.Items.OfType<MapNode>().Select(a => a.Get("symbol")).OfType<ScalarNode>().Select(s => s.Text).ToList()
            : [];
        var root = Set(_root, segments, 0, text, key, "", symbols, out string fieldPath);
        var document = new ScenarioDocument(root, Text) { BaseDirectory = BaseDirectory };
        var binder = new ScenarioBinder(BaseDirectory);
        var scenario = binder.Bind(root);
        bool numeric = binder.Reader.NumberPaths.Contains(fieldPath);
        // An error at the field itself (an unknown key, an integer given a fraction) says most; a field the grammar does not
        // read as a number comes next (what else fails is a consequence); then the other errors.
        if (scenario is null && (numeric || binder.Errors.Errors.Any(e => e.Path == fieldPath)))
        {
            var errors = binder.Errors.Errors.Select(binder.Locate)
                .Select(e => e with { Message = $"{e.Message} (after {origin} {Echo.Key(key)}={Echo.Clip(text)})" }).ToList();
            throw new ScenarioException(errors);
        }
        if (!numeric)
            throw Error(key, $"not a number in the scenario grammar ({Echo.Key(fieldPath)} is read as text, a duration or a choice, or not at all)");
        return (document, binder.Reader.IntegerPaths.Contains(fieldPath));
    }

    private readonly record struct Segment(string Name, string? Selector);

    [GeneratedRegex(@"^(?<name>[A-Za-z_][A-Za-z0-9_\-]*)(\[(?<sel>[^\[\]]+)\])?$")]
    private static partial Regex SegmentPattern();

    private static List<Segment> Parse(string key)
    {
        var segments = new List<Segment>();
        foreach (string part in key.Split('.'))
        {
            var m = SegmentPattern().Match(part);
            if (!m.Success)
                throw Error(key, $"expected a key path such as venue.maintenanceMargin or assets[BTC].depth1pct, got {Echo.Quote(part)} in it");
            segments.Add(new Segment(m.Groups["name"].Value, m.Groups["sel"].Success ? m.Groups["sel"].Value.Trim() : null));
        }
        return segments;
    }

    private static ScenarioException Error(string key, string message) => new(new ScenarioError(key, message));

    /// <summary>A copy of <paramref name="node"/> with the value at segments[i..] set; <paramref name="fieldPath"/> is the
    /// path the binder will give that field (list items by index).</summary>
    private static ScenarioNode Set(ScenarioNode? node, List<Segment> segments, int i, string text, string key, string path,
        List<string> symbols, out string fieldPath)
    {
        var segment = segments[i];
        var map = node as MapNode;
        if (map is null && node is SequenceNode)
            throw Error(key, $"{(path.Length == 0 ? "the scenario" : Echo.Key(path))} is a list: select an item, as in {Echo.Key(path)}[0]");
        var entries = map?.Entries.ToList() ?? [];
        int at = entries.FindIndex(e => e.Key.Text == segment.Name);
        ScenarioNode? child = at >= 0 ? entries[at].Value : null;
        string childPath = FieldPath.Key(path, segment.Name);
        bool last = i == segments.Count - 1;

        ScenarioNode replacement;
        if (segment.Selector is string selector)
        {
            if (child is not SequenceNode list)
                throw Error(key, $"{Echo.Key(childPath)} is not a list, so [{selector}] selects nothing");
            int index = Select(list, selector, key, childPath);
            string itemPath = FieldPath.Index(childPath, index);
            var items = list.Items.ToList();
            if (last)
                throw Error(key, $"{Echo.Key(itemPath)} is a whole item; name a field of it, as in {Echo.Key(itemPath)}.{FirstKey(items[index])}");
            items[index] = Set(items[index], segments, i + 1, text, key, itemPath, symbols, out fieldPath);
            replacement = new SequenceNode(items, list.Line, list.Column);
        }
        else if (last)
        {
            fieldPath = childPath;
            replacement = new ScalarNode(text, false, child?.Line, child?.Column);
        }
        else if (child is SequenceNode)
            throw Error(key, $"{Echo.Key(childPath)} is a list: select an item, as in {Echo.Key(childPath)}[0]");
        else
        {
            // liquidation: full (or {mode: full}) becomes partial when a tranche or dust size is set.
            if (segment.Name == "liquidation" && segments[i + 1] is { Name: "tranche" or "dustNotional", Selector: null })
                child = Partial(child);
            // One rule for every asset becomes a per-asset map when one asset's rule is set.
            if (childPath == "venue.maintenanceMargin" && symbols.Contains(segments[i + 1].Name) && child is not null
                && (child is ScalarNode || child is MapNode m && (m.Get("tiers") is not null || m.Get("dynamic") is not null)))
                child = new MapNode(symbols.Select(s => new KeyValuePair<ScalarNode, ScenarioNode>(new ScalarNode(s, false), child)).ToList(),
                    child.Line, child.Column);
            replacement = Set(child is MapNode ? child : null, segments, i + 1, text, key, childPath, symbols, out fieldPath);
        }
        var entry = new KeyValuePair<ScalarNode, ScenarioNode>(at >= 0 ? entries[at].Key : new ScalarNode(segment.Name, false), replacement);
        if (at >= 0) entries[at] = entry;
        else entries.Add(entry);
        return new MapNode(entries, map?.Line, map?.Column);
    }

    private static MapNode Partial(ScenarioNode? liquidation)
    {
        var entries = (liquidation as MapNode)?.Entries.Where(e => e.Key.Text != "mode").ToList() ?? [];
        entries.Insert(0, new(new ScalarNode("mode", false), new ScalarNode("partial", false)));
        return new MapNode(entries, liquidation?.Line, liquidation?.Column);
    }

    /// <summary>An item by index, by its <c>symbol</c> or by its <c>name</c>.</summary>
    private static int Select(SequenceNode list, string selector, string key, string path)
    {
        if (int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            return index < list.Items.Count ? index
                : throw Error(key, $"{Echo.Key(path)} has {list.Items.Count} item{(list.Items.Count == 1 ? "" : "s")}, so [{selector}] selects nothing");
        var labels = new List<string>();
        for (int k = 0; k < list.Items.Count; k++)
        {
            if (list.Items[k] is not MapNode item) continue;
            foreach (string field in new[] { "symbol", "name" })
                if (item.Get(field) is ScalarNode { IsNull: false } label)
                {
                    if (label.Text == selector) return k;
                    labels.Add(label.Text);
                }
        }
        throw Error(key, $"no item {Echo.Quote(selector)} in {Echo.Key(path)}{DidYouMean.Hint(selector, labels)}");
    }

    private static string FirstKey(ScenarioNode item) => item is MapNode { Entries.Count: > 0 } m ? m.Entries[^1].Key.Text : "field";
}
