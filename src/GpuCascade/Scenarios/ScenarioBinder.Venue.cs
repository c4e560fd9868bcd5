using System.Collections.Immutable;
using GpuCascade.Operations;
using static GpuCascade.Scenarios.FieldPath;

namespace GpuCascade.Scenarios;

internal sealed partial class ScenarioBinder
{
    private VenueSpec? Venue(ScenarioNode node, string path)
    {
        node = VenuePresets.Expand(r, node, path, symbols, out bool presetFailed); // a preset's keys under the file's
        if (r.Map(node, path) is not { } m) return null;
        _ = m[VenuePresets.Key]; // a known key (Expand read it)
        var margin = (presetFailed ? m["maintenanceMargin"] : m.Required("maintenanceMargin")) is { } mm ? Margin(mm, m.PathOf("maintenanceMargin")) : null;
        var penalty = m.Number("liquidationPenalty");
        var delay = OracleModule.Bind(m);
        var fund = m.Number("insuranceFund");
        var liquidation = m["liquidation"] is { } l ? Liquidation(l, m.PathOf("liquidation")) : null;
        var roundCap = m.Int("roundCap", min: 1, max: int.MaxValue);
        var adl = AdlModule.Bind(m);
        var capacity = CapacityModule.Bind(m);
        var mechanisms = MechanismCatalogue.Bind(r, m, MechanismScope.Venue);
        m.Done();
        if (margin is not { } rules) return null;
        var venue = new VenueSpec { MaintenanceMargin = rules };
        if (penalty is double pi) venue = venue with { LiquidationPenalty = pi };
        venue = OracleModule.Apply(venue, delay);
        if (fund is double f) venue = venue with { InsuranceFund = f };
        if (liquidation is not null) venue = venue with { Liquidation = liquidation };
        if (roundCap is int cap) venue = venue with { RoundCap = cap };
        venue = AdlModule.Apply(venue, adl);
        venue = CapacityModule.Apply(venue, capacity);
        return mechanisms.Count == 0 ? venue : venue with { Mechanisms = mechanisms };
    }

    /// <summary>One rule for every asset (the same instance, which the validator reports once), or a map symbol -&gt; rule.</summary>
    private ImmutableArray<MarginRule>? Margin(ScenarioNode node, string path)
    {
        if (node is not MapNode map || map.Get("tiers") is not null || map.Get("dynamic") is not null)
            return Rule(node, path) is { } rule ? Enumerable.Repeat(rule, symbols.Count).ToImmutableArray() : null;

        var rules = new MarginRule?[symbols.Count];
        var covered = new bool[symbols.Count];
        bool ok = true;
        foreach (var (key, child) in map.Entries)
        {
            string childPath = Key(path, key.Text);
            r.Visit(child, childPath);
            var index = table.Resolve(Errors, childPath, key.Text, key, "tiers", "dynamic");
            var rule = Rule(child, childPath);
            ok &= rule is not null;
            if (index is not int i) continue;
            covered[i] = true;
            rules[i] = rule;
        }
        var missing = symbols.Where((s, i) => s is not null && !covered[i]).ToList();
        if (missing.Count > 0)
            Errors.Add(path, $"no rule for {string.Join(", ", missing.Select(Echo.Clip))} (a per-asset map must cover every asset)", node);
        return ok && missing.Count == 0 && rules.All(x => x is not null)
            ? rules.Select(x => x!).ToImmutableArray() : null;
    }

    /// <summary>A rate, <c>{tiers: [...]}</c> or <c>{dynamic: {...}}</c>.</summary>
    private MarginRule? Rule(ScenarioNode node, string path)
    {
        const string forms = "a rate, {tiers: [...]} or {dynamic: {floor, z, closeOutHorizon}}";
        if (node is ScalarNode)
            return r.Number(node, path) is double rate ? new StaticMargin(rate) : null;
        if (node is not MapNode || r.Map(node, path) is not { } m)
        {
            Errors.Add(path, $"must be {forms}, got {node.Describe()}", node);
            return null;
        }
        var tiers = m["tiers"];
        var dynamic = m["dynamic"];
        MarginRule? result = null;
        if (tiers is not null && dynamic is not null)
            Errors.Add(m.PathOf("dynamic"), "give either tiers or dynamic, not both", dynamic);
        else if (tiers is not null)
            result = Tiers(tiers, m.PathOf("tiers"));
        else if (dynamic is not null)
            result = Dynamic(dynamic, m.PathOf("dynamic"));
        else if (m.Node.Entries.Count == 0)
            Errors.Add(path, $"must be {forms}, got an empty mapping", node);
        m.Done();
        return result;
    }

    /// <summary>Brackets; without amounts the continuous ones of <see cref="MaintenanceMargin.ContinuousTiers"/>.</summary>
    private TieredMargin? Tiers(ScenarioNode node, string path)
    {
        if (r.Items(node, path) is not { } items) return null;
        var brackets = new List<(double Cap, double Rate)>();
        var amounts = new List<double?>();
        for (int k = 0; k < items.Count; k++)
        {
            if (r.Map(items[k], Index(path, k)) is not { } m) continue;
            var cap = m.Number("cap", required: true);
            var rate = m.Number("rate", required: true);
            amounts.Add(m["amount"] is { } a ? r.Number(a, m.PathOf("amount")) ?? double.NaN : null);
            m.Done();
            if (cap is double c && rate is double x) brackets.Add((c, x));
        }
        if (brackets.Count != items.Count) return null;
        if (amounts.All(a => a is null)) return new TieredMargin(MaintenanceMargin.ContinuousTiers(brackets));
        int without = amounts.FindIndex(a => a is null);
        if (without >= 0)
        {
            Errors.Add(Key(Index(path, without), "amount"), "give amount on every tier or on none", items[without]);
            return null;
        }
        return new TieredMargin(brackets.Select((b, k) => new MarginTier(b.Cap, b.Rate, amounts[k]!.Value)).ToImmutableArray());
    }

    private DynamicMargin? Dynamic(ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var floor = m.Number("floor", required: true);
        var z = m.Number("z", required: true);
        var horizon = m.Duration("closeOutHorizon", required: true);
        m.Done();
        return floor is double f && z is double zz && horizon is Duration h ? new DynamicMargin(f, zz, h) : null;
    }

    /// <summary><c>full</c>, <c>{mode: full}</c> or <c>{mode: partial, tranche: f, dustNotional: d}</c>.</summary>
    private LiquidationPolicy? Liquidation(ScenarioNode node, string path)
    {
        const string partialForm = "{mode: partial, tranche: 0.25}";
        if (node is ScalarNode { IsNull: false, Text: var text })
        {
            if (text == "full") return LiquidationPolicy.Full;
            Errors.Add(path, text == "partial"
                ? $"partial liquidation needs a tranche: {partialForm}"
                : $"must be full or {partialForm}, got {Echo.Quote(text)}", node);
            return null;
        }
        if (r.Map(node, path) is not { } m) return null;
        LiquidationPolicy? result = null;
        switch (m.Choice("mode", true, ("full", 0), ("partial", 1)))
        {
            case 0:
                m.Forbid("tranche", "only with mode: partial");
                m.Forbid("dustNotional", "only with mode: partial");
                result = LiquidationPolicy.Full;
                break;
            case 1:
                var tranche = m.Number("tranche", required: true);
                var dust = m.Number("dustNotional") ?? LiquidationPolicy.DefaultDustNotional;
                result = tranche is double f ? LiquidationPolicy.Partial(f, dust) : null;
                break;
            default:
                Known(m, ["tranche", "dustNotional"]);
                break;
        }
        m.Done();
        return result;
    }
}
