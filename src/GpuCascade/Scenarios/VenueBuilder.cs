using System.Collections.Immutable;
using GpuCascade.Operations;
using Margins = GpuCascade.Scenarios.MaintenanceMargin;

namespace GpuCascade.Scenarios;

/// <summary>
/// Venue rules in a <see cref="ScenarioBuilder"/>. A margin rule without a symbol applies to every asset;
/// one with a symbol overrides it for that asset.
/// </summary>
public sealed class VenueBuilder
{
    private const string MarginPath = "venue.maintenanceMargin";
    private readonly List<(string Symbol, MarginRule Rule)> perAsset = new();
    private MarginRule? forAll;
    private VenueSpec settings = new() { MaintenanceMargin = ImmutableArray<MarginRule>.Empty };

    internal List<ScenarioError> Pending { get; } = new();

    internal VenueBuilder() { }

    /// <summary>A static maintenance rate in (0, 1) for every asset.</summary>
    public VenueBuilder MaintenanceMargin(double rate) => MaintenanceMargin(new StaticMargin(rate));

    /// <summary>A static maintenance rate for one asset.</summary>
    public VenueBuilder MaintenanceMargin(string symbol, double rate) => MaintenanceMargin(symbol, new StaticMargin(rate));

    /// <summary>Any margin rule for every asset.</summary>
    public VenueBuilder MaintenanceMargin(MarginRule rule) { forAll = rule; return this; }

    /// <summary>Any margin rule for one asset.</summary>
    public VenueBuilder MaintenanceMargin(string symbol, MarginRule rule)
    {
        perAsset.RemoveAll(x => x.Symbol == symbol);
        perAsset.Add((symbol, rule));
        return this;
    }

    /// <summary>Exchange brackets (cap per account, rate) for every asset, with continuous maintenance amounts.</summary>
    public VenueBuilder TieredMargin(params (double Cap, double Rate)[] brackets) =>
        MaintenanceMargin(new TieredMargin(Margins.ContinuousTiers(brackets)));

    /// <summary>Exchange brackets for one asset, with continuous maintenance amounts.</summary>
    public VenueBuilder TieredMargin(string symbol, params (double Cap, double Rate)[] brackets) =>
        MaintenanceMargin(symbol, new TieredMargin(Margins.ContinuousTiers(brackets)));

    /// <summary>m = max(floor, z sigma sqrt(closeOutHorizon)) for every asset.</summary>
    public VenueBuilder DynamicMargin(double floor, double z, string closeOutHorizon) =>
        MaintenanceMargin(new DynamicMargin(floor, z, Horizon(closeOutHorizon, MarginPath)));

    /// <summary>m = max(floor, z sigma sqrt(closeOutHorizon)) for one asset.</summary>
    public VenueBuilder DynamicMargin(string symbol, double floor, double z, string closeOutHorizon) =>
        MaintenanceMargin(symbol, new DynamicMargin(floor, z, Horizon(closeOutHorizon, $"{MarginPath}.{symbol}")));

    /// <summary>Penalty as a fraction of closed notional, in [0, 1) [0.01].</summary>
    public VenueBuilder LiquidationPenalty(double pi) => Set(settings with { LiquidationPenalty = pi });

    /// <summary>Oracle delay in steps [0 = live].</summary>
    public VenueBuilder OracleDelaySteps(int steps) => Set(settings with { OracleDelaySteps = steps });

    /// <summary>Starting insurance fund in USD [0].</summary>
    public VenueBuilder InsuranceFund(double usd) => Set(settings with { InsuranceFund = usd });

    /// <summary>Full liquidation (the default).</summary>
    public VenueBuilder Full() => Set(settings with { Liquidation = LiquidationPolicy.Full });

    /// <summary>Partial liquidation of <paramref name="tranche"/> per round; below <paramref name="dustNotional"/> USD per account the rest closes.</summary>
    public VenueBuilder Partial(double tranche, double dustNotional = LiquidationPolicy.DefaultDustNotional) =>
        Set(settings with { Liquidation = LiquidationPolicy.Partial(tranche, dustNotional) });

    /// <summary>Maximum liquidation rounds per step [64].</summary>
    public VenueBuilder RoundCap(int rounds) => Set(settings with { RoundCap = rounds });

    /// <summary>Adds a mechanism to the venue (docs/scenarios.md), replacing one of the same type.</summary>
    public VenueBuilder Mechanism(MechanismSpec spec) => Set(settings with { Mechanisms = settings.Mechanisms.With(spec) });

    private VenueBuilder Set(VenueSpec value)
    {
        settings = value;
        return this;
    }

    private Duration Horizon(string text, string rulePath) =>
        ScenarioBuilder.ParseDuration(text, $"{rulePath}.dynamic.closeOutHorizon", Pending);

    /// <summary>The venue with one rule per asset: its own, else the rule for all (shared, as a file's single rule is).</summary>
    internal VenueSpec? Build(Diagnostics errors, SymbolTable table)
    {
        if (forAll is null && perAsset.Count == 0)
        {
            errors.Add(MarginPath, "required");
            return null;
        }
        var rules = new MarginRule?[table.Count];
        foreach (var (symbol, rule) in perAsset)
            if (table.Resolve(errors, $"{MarginPath}.{symbol}", symbol) is int i) rules[i] = rule;
        var missing = new List<string>();
        for (int i = 0; i < rules.Length; i++)
            if ((rules[i] ??= forAll) is null) missing.Add(table.Symbols[i] ?? $"[{i}]");
        if (missing.Count > 0)
        {
            errors.Add(MarginPath, $"no rule for {string.Join(", ", missing.Select(Echo.Clip))}");
            return null;
        }
        return settings with { MaintenanceMargin = rules.Select(r => r!).ToImmutableArray() };
    }
}
