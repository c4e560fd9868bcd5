using System.Collections.Immutable;
using System.Text;
using GpuCascade.Operations;

namespace GpuCascade.Scenarios;

/// <summary>One asset's maintenance-margin rule in a preset: a static <see cref="Rate"/>, or <see cref="Brackets"/> of
/// (cap, rate) whose amounts the binding derives (<see cref="MaintenanceMargin.ContinuousTiers"/>), as the venues do.</summary>
internal sealed record PresetMargin(string Symbol, double? Rate, ImmutableArray<(double Cap, double Rate)> Brackets);

/// <summary>
/// A venue preset (docs/scenarios.md, "Venue presets"): the venue keys a real venue's public numbers give
/// (docs/venue-facts.md), dated. A key it does not set keeps the engine's default; a number the sources do not give is
/// not set.
/// </summary>
/// <param name="Name">What <c>venue.preset</c> names.</param>
/// <param name="Date">The date of its numbers (yyyy-MM-dd).</param>
/// <param name="Venue">The venue it is like, in words.</param>
/// <param name="Margins">Maintenance-margin rules by symbol; an asset whose symbol has none needs one from the file.</param>
/// <param name="LiquidationPenalty">The penalty, when the sources give it.</param>
/// <param name="Partial">Partial liquidation (tranche, dust notional per account), when the sources give it.</param>
/// <param name="Adl">Whether the venue auto-deleverages.</param>
/// <param name="BackstopTakeover">An account backstop's takeover share q, when the venue has one (its capital is not public:
/// the file gives it beside the preset).</param>
internal sealed record VenuePreset(string Name, string Date, string Venue, ImmutableArray<PresetMargin> Margins,
    double? LiquidationPenalty, (double Tranche, double DustNotional)? Partial, bool Adl, double? BackstopTakeover = null)
{
    /// <summary>The rule of <paramref name="symbol"/>, or null.</summary>
    public PresetMargin? Margin(string symbol) => Margins.FirstOrDefault(m => m.Symbol == symbol);

    /// <summary>The venue keys it sets (<c>maintenanceMargin</c> per symbol first), each node at the given position (that
    /// of <c>preset: NAME</c> in the file, so an error in a preset's value points at the preset).</summary>
    public IReadOnlyList<KeyValuePair<ScalarNode, ScenarioNode>> Keys(int? line = null, int? column = null)
    {
        ScalarNode S(string text) => new(text, false, line, column);
        ScalarNode N(double value) => S(ScenarioNumbers.Text(value));
        MapNode M(params (string Key, ScenarioNode Value)[] entries) =>
            new(entries.Select(e => new KeyValuePair<ScalarNode, ScenarioNode>(S(e.Key), e.Value)).ToList(), line, column);

        ScenarioNode Rule(PresetMargin m) => m.Rate is double rate ? N(rate)
            : M(("tiers", new SequenceNode([.. m.Brackets.Select(b => M(("cap", N(b.Cap)), ("rate", N(b.Rate))))], line, column)));

        var keys = new List<(string, ScenarioNode)> { ("maintenanceMargin", M([.. Margins.Select(m => (m.Symbol, Rule(m)))])) };
        if (LiquidationPenalty is double penalty) keys.Add(("liquidationPenalty", N(penalty)));
        if (Partial is var (tranche, dust)) keys.Add(("liquidation", M(("mode", S("partial")), ("tranche", N(tranche)), ("dustNotional", N(dust)))));
        if (Adl) keys.Add(("adl", S("true")));
        if (BackstopTakeover is double q) keys.Add(("backstop", M(("takeover", N(q)))));
        return M([.. keys]).Entries;
    }

    /// <summary>The keys as one line of YAML each (<c>adl: true</c>), for listings.</summary>
    public IEnumerable<string> YamlLines() => Keys().Select(e => $"{e.Key.Text}: {Flow(e.Value)}");

    private static string Flow(ScenarioNode node) => node switch
    {
        ScalarNode s => s.Text,
        MapNode m => "{" + string.Join(", ", m.Entries.Select(e => $"{e.Key.Text}: {Flow(e.Value)}")) + "}",
        SequenceNode q => "[" + string.Join(", ", q.Items.Select(Flow)) + "]",
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };
}

/// <summary>
/// The venue presets and <c>venue.preset</c> (docs/scenarios.md, "Venue presets"). A preset expands to ordinary keys
/// before the venue is bound: its keys go under the file's, so every key is validated as if written out, a key written
/// beside <c>preset</c> replaces the preset's whole value (a per-asset <c>maintenanceMargin</c> map replaces it asset by
/// asset), and the scenario (its canonical JSON, a result's manifest) holds the expanded values, not the name.
/// </summary>
internal static class VenuePresets
{
    /// <summary>The venue's key.</summary>
    public const string Key = "preset";

    /// <summary>Every preset, by name. Each number is a sourced or derived row of docs/venue-facts.md.</summary>
    public static readonly ImmutableArray<VenuePreset> All =
    [
        // docs/venue-facts.md, "1. Binance USD-M perpetual": the BTCUSDT 125x table of 2021-03-18 (the only one sourced; ETHUSDT's
        // is not), its amounts derived (0; 50; 1,300; 16,300; ...). ADL is the last step. The clearance fee, the fund's size and
        // how far a liquidation reduces a position are not sourced: the engine's defaults (penalty 0.01, fund 0, full).
        new("binance-usdm", "2021-03-18", "Binance-like USD-M perpetuals (BTCUSDT brackets of 2021-03-18)",
            [new("BTC", null, [(5e4, 0.004), (2.5e5, 0.005), (1e6, 0.01), (1e7, 0.025), (2e7, 0.05), (5e7, 0.10), (1e8, 0.125),
                (2e8, 0.15), (3e8, 0.25), (5e8, 0.50)])],
            LiquidationPenalty: null, Partial: null, Adl: true),
        // docs/venue-facts.md, "3. dYdX v4 (dYdX Chain)": genesis (2023-10-26) liquidity tier 0 of BTC-USD and ETH-USD, MMF =
        // 0.6 x 5% = 3% (derived); the maximum liquidation fee 1.5%, paid to the insurance fund; deleveraging after the fund.
        new("dydx-v4", "2023-10-26", "dYdX v4-like perpetuals (mainnet genesis parameters)",
            [new("BTC", 0.03, []), new("ETH", 0.03, [])],
            LiquidationPenalty: 0.015, Partial: null, Adl: true),
        // docs/venue-facts.md, "2. Hyperliquid perps": the mainnet BTC and ETH margin tiers (MMR = 1 / (2 max leverage): 40x and
        // 20x for BTC, 25x and 15x for ETH), 20% slices above 100k USDC, no clearance fee, ADL, and the liquidator vault, which
        // takes over accounts below 2/3 of their maintenance margin with the margin left; its capital is not public, so the
        // file gives it (docs/scenarios.md, "Venue presets").
        new("hyperliquid", "2026-12-07", "Hyperliquid-like perpetuals (mainnet margin tiers, 20% partial liquidations, liquidator vault)",
            [new("BTC", null, [(1.5e8, 1 / (2 * 40.0)), (double.PositiveInfinity, 1 / (2 * 20.0))]),
             new("ETH", null, [(1e8, 1 / (2 * 25.0)), (double.PositiveInfinity, 1 / (2 * 15.0))])],
            LiquidationPenalty: 0, Partial: (0.2, 1e5), Adl: true, BackstopTakeover: 2.0 / 3.0),
    ];

    /// <summary>The preset called <paramref name="name"/>, or null.</summary>
    public static VenuePreset? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    /// <summary>The presets' names, in order.</summary>
    public static IEnumerable<string> Names => All.Select(p => p.Name);

    /// <summary>
    /// The venue mapping with its preset's keys under the file's (the mapping itself when it names none). Errors go to
    /// <paramref name="r"/>: an unknown name (with the closest known one) at <c>venue.preset</c>, and assets whose rule
    /// neither the preset nor the file gives at <c>venue.maintenanceMargin</c>. <paramref name="incomplete"/> is true when
    /// an error left the mapping without the preset's keys, so that the binder does not report them missing as well.
    /// </summary>
    public static ScenarioNode Expand(NodeReader r, ScenarioNode venue, string path, IReadOnlyList<string?> symbols, out bool incomplete)
    {
        incomplete = false;
        if (venue is not MapNode map || map.Get(Key) is not { } node) return venue;
        string presetPath = FieldPath.Key(path, Key);
        if (r.Text(node, presetPath) is not { } name)
        {
            incomplete = true;
            return venue;
        }
        if (Find(name) is not { } preset)
        {
            r.Errors.Add(presetPath, $"unknown preset {Echo.Quote(name)}{DidYouMean.Hint(name, Names)}; the presets are {string.Join(", ", Names)}", node);
            incomplete = true;
            return venue;
        }

        var entries = map.Entries.ToList();
        var presetKeys = preset.Keys(node.Line, node.Column);
        // The margins: one rule in the file (a rate, tiers, dynamic, or anything else the binder will refuse) replaces the
        // preset's; a per-asset map, or none, takes the preset's rule for each asset it does not name.
        int at = entries.FindIndex(e => e.Key.Text == "maintenanceMargin");
        var own = at >= 0 ? entries[at].Value : null;
        if (own is null || (own is MapNode m && m.Get("tiers") is null && m.Get("dynamic") is null))
        {
            var named = (own as MapNode)?.Entries.Select(e => e.Key.Text).ToHashSet(StringComparer.Ordinal) ?? [];
            var assets = symbols.OfType<string>().Where(s => !named.Contains(s)).ToList();
            var missing = assets.Where(s => preset.Margin(s) is null).ToList();
            if (missing.Count > 0)
            {
                string has = string.Join(" and ", preset.Margins.Select(x => x.Symbol));
                string example = string.Join(", ", missing.Take(3).Select(s => $"{Echo.Clip(s)}: ...")) + (missing.Count > 3 ? ", ..." : "");
                r.Errors.Add(FieldPath.Key(path, "maintenanceMargin"),
                    $"no rule for {string.Join(", ", missing.Select(Echo.Clip))}: the preset {preset.Name} has maintenance-margin rules for " +
                    $"{has} only; give the others beside it (maintenanceMargin: {{{example}}}, merged with the preset's) or one rule for every asset",
                    own ?? node);
                if (at >= 0) entries.RemoveAt(at);
                incomplete = true;
            }
            else
            {
                var fromPreset = (MapNode)presetKeys.First(e => e.Key.Text == "maintenanceMargin").Value;
                var merged = fromPreset.Entries.Where(e => assets.Contains(e.Key.Text)).Concat((own as MapNode)?.Entries ?? []).ToList();
                var margins = new KeyValuePair<ScalarNode, ScenarioNode>(
                    at >= 0 ? entries[at].Key : new ScalarNode("maintenanceMargin", false, node.Line, node.Column),
                    new MapNode(merged, own?.Line ?? node.Line, own?.Column ?? node.Column));
                if (at >= 0) entries[at] = margins;
                else entries.Add(margins);
            }
        }
        foreach (var entry in presetKeys)
        {
            if (entry.Key.Text == "maintenanceMargin") continue;
            int written = entries.FindIndex(e => e.Key.Text == entry.Key.Text);
            if (written < 0) entries.Add(entry);
            else if (entry.Key.Text == BackstopKey && entry.Value is MapNode fromPreset && entries[written].Value is MapNode file
                     && file.Get("slippage") is null && file.Get("discount") is null) // a flow backstop replaces the vault
                entries[written] = new(entries[written].Key, new MapNode( // the vault's keys merge: the file's beside the preset's
                    [.. fromPreset.Entries.Where(e => file.Get(e.Key.Text) is null), .. file.Entries], file.Line, file.Column));
        }
        // The vault's capital is the one number of it no source gives: the file must (or leave the vault out, backstop: off).
        int vault = entries.FindIndex(e => e.Key.Text == BackstopKey);
        if (preset.BackstopTakeover is double takeover && vault >= 0 && entries[vault].Value is MapNode b && b.Get("capital") is null)
        {
            r.Errors.Add(FieldPath.Key(FieldPath.Key(path, BackstopKey), "capital"),
                $"required: the preset {preset.Name} has a liquidator vault that takes over accounts below {ScenarioNumbers.Text(takeover)} " +
                "of their maintenance margin, but no source gives its capital; write it beside the preset " +
                "(backstop: {capital: 1.0e8}), or backstop: off to leave the vault out", map.Get(BackstopKey) ?? node);
            entries.RemoveAt(vault);
        }
        return new MapNode(entries, map.Line, map.Column);
    }

    /// <summary>The backstop's key, whose map merges with a preset's key by key.</summary>
    private const string BackstopKey = "backstop";

    /// <summary>Every preset: its name, date and venue, then the keys it sets, one per line (<c>gpucascade scenario presets</c>).</summary>
    public static string Listing()
    {
        var text = new StringBuilder();
        foreach (var preset in All)
        {
            text.Append($"{preset.Name} ({preset.Date}): {preset.Venue}\n");
            foreach (string line in preset.YamlLines()) text.Append($"  {line}\n");
        }
        text.Append("Keys written beside the preset replace its values (backstop's merge key by key; the vault's capital must be " +
                    "written, or backstop: off); other assets need a maintenanceMargin rule from the file. " +
                    "Sources, and what the presets leave out: docs/scenarios.md, \"Venue presets\".\n");
        return text.ToString();
    }
}
