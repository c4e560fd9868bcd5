using System.Text.Json;
using GpuCascade.Kernels;
using static GpuCascade.Kernels.OutputAggregations;
using static GpuCascade.Scenarios.ScenarioNumbers;

namespace GpuCascade.Scenarios;

/// <summary>
/// A front-runner (docs/model.md section 10): an agent who pushes a price into the densest liquidation levels it can reach
/// with <paramref name="Budget"/> when its forecast profit is positive, and buys back from the forced sales. In YAML,
/// <c>venue.adversary: {budget: 2e7, sees: book}</c>; in code, <c>VenueBuilder.Mechanism(new AdversarySpec(2e7))</c>.
/// </summary>
/// <param name="Budget">B &gt; 0: USD of the largest push.</param>
/// <param name="Sees">Whether it sees the book (public margins); blind (private margins) it forecasts no forced sales [true].</param>
/// <param name="Fee">f in (0, 0.1): its trading fee per USD filled, on both trades [0.0005]; its pushes stay within sqrt(f) in
/// log price, where the impact law's own round trip costs more than it returns.</param>
/// <param name="CostOfCapital">r &gt;= 0 a year: the cost of what it pushes with, for the step it holds it [0.1].</param>
/// <param name="Levels">J in [1, 64]: the pushes it weighs per asset and direction, j / J of its reach [8].</param>
public sealed record AdversarySpec(double Budget, bool Sees = true, double Fee = 0.0005, double CostOfCapital = 0.1, int Levels = 8)
    : MechanismSpec;

/// <summary>
/// The front-runner on the host (docs/model.md section 10; the path's side is kernels/GpuCascade.Kernels/Mechanisms/Adversary.cs):
/// <c>venue.adversary</c>, its rules, canonical JSON, packing and outputs.
/// </summary>
internal sealed class AdversaryModule : MechanismModule<AdversarySpec>
{
    public override string Key => "adversary";

    public override MechanismScope Scope => MechanismScope.Venue;

    /// <summary>Binds <c>{budget, sees: book | blind, fee, costOfCapital, levels}</c>: the budget required.</summary>
    public override MechanismSpec? Bind(NodeReader r, ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var budget = m.Number("budget", required: true);
        var sees = m.Choice("sees", false, ("book", true), ("blind", false));
        var fee = m.Number("fee");
        var cost = m.Number("costOfCapital");
        var levels = m.Int("levels", min: 1, max: 64);
        m.Done();
        return budget is double b ? new AdversarySpec(b, sees ?? true, fee ?? 0.0005, cost ?? 0.1, levels ?? 8) : null;
    }

    protected override void Validate(Diagnostics d, string path, AdversarySpec spec, Scenario scenario, int assetIndex)
    {
        d.Require(spec.Budget > 0 && double.IsFinite(spec.Budget), FieldPath.Key(path, "budget"), $"must be a finite USD amount > 0, got {Format(spec.Budget)}");
        d.InRange(FieldPath.Key(path, "fee"), spec.Fee, 0, 0.1, lowClosed: false, highClosed: false);
        d.Require(spec.CostOfCapital >= 0 && double.IsFinite(spec.CostOfCapital), FieldPath.Key(path, "costOfCapital"),
            $"must be >= 0 (a rate a year), got {Format(spec.CostOfCapital)}");
        d.IntegerIn(FieldPath.Key(path, "levels"), spec.Levels, 1, 64);
        for (int i = 0; i < scenario.Assets.Length; i++)
            d.Require(scenario.Assets[i].Impact is LinearImpact, $"assets[{i}].impact",
                "the adversary's forecast needs linear impact (depth1pct) on every asset for now");
        d.Require(scenario.Venue.OracleDelaySteps == 0 && scenario.Venue.Mechanisms.Get<OracleSpec>() is null, path,
            "the adversary needs the live oracle (no oracleDelaySteps, no oracle pipeline): it pushes the price the margins read");
        d.Require(scenario.Venue.Mechanisms.Get<BackstopSpec>() is null, path, "not available with a backstop yet");
        d.Require(scenario.Venue.Mechanisms.Get<CircuitBreakerSpec>() is null, path,
            "not available with a circuit breaker yet: its forecast does not know that its own push may halt the liquidations");
    }

    protected override void WriteJson(Utf8JsonWriter w, AdversarySpec spec)
    {
        ScenarioJson.Number(w, "budget", spec.Budget);
        w.WriteString("sees", spec.Sees ? "book" : "blind");
        ScenarioJson.Number(w, "fee", spec.Fee);
        ScenarioJson.Number(w, "costOfCapital", spec.CostOfCapital);
        w.WriteNumber("levels", spec.Levels);
    }

    /// <summary>The forced units by push, one slot per level a venue's front-runner weighs (the largest J), then each venue's
    /// open attack; none without a front-runner.</summary>
    public override int RegionSlots(Scenario scenario)
    {
        var specs = VenuesModule.PerVenue<AdversarySpec>(scenario);
        return specs.All(a => a is null) ? 0 : specs.Max(a => a?.Levels ?? 0) + specs.Length * AdversaryState.Fields;
    }

    public override void Pack(PlanPacking packing, ref PlanLayout layout)
    {
        // One front-runner per venue at most (docs/model.md section 9), each on its own venue's markets.
        var specs = VenuesModule.PerVenue<AdversarySpec>(packing.Scenario);
        if (specs.All(a => a is null))
        {
            layout.Adversary = default;
            return;
        }
        layout.Adversary = new AdversaryParams
        {
            On = 1,
            VenueOn = packing.Ints(specs.Select(a => a is null ? 0 : 1)),
            Sees = packing.Ints(specs.Select(a => a is { Sees: true } ? 1 : 0)),
            Levels = packing.Ints(specs.Select(a => a?.Levels ?? 0)),
            Budget = packing.Reals(specs.Select(a => a?.Budget ?? 0)),
            Fee = packing.Reals(specs.Select(a => a?.Fee ?? 0)),
            CapitalCost = packing.Reals(specs.Select(a => (a?.CostOfCapital ?? 0) * packing.Dt)),
            Region = packing.RegionOffset,
            OpenAttacks = specs.Max(a => a?.Levels ?? 0),
            MaxPush = packing.Reals(specs.Select(a => a is null ? 0 : Math.Sqrt(a.Fee))),
        };
    }

    public override IReadOnlyList<OutputRow> Outputs { get; } =
    [
        new("adversary.pnl", "adversaryPnl", OutputShape.PerPath, AdversaryOutput.Pnl, OutputStorage.Real, "USD", Mean | Positive | Tail | Target,
            "the front-runner's P&L")
        {
            Mechanism = "adversary", ProbabilityKey = "probabilities.adversaryProfit", ProbabilityLabel = "front-runner profits (P&L > 0)",
        },
        new("adversary.forecastPnl", "adversaryForecast", OutputShape.PerPath, AdversaryOutput.Forecast, OutputStorage.Real, "USD", Mean,
            "the P&L the front-runner forecast") { Mechanism = "adversary" },
        new("adversary.attacks", "adversaryAttacks", OutputShape.PerPath, AdversaryOutput.Attacks, OutputStorage.Real, "steps", Mean,
            "the front-runner's attacks") { Mechanism = "adversary" },
        new("adversary.attacked", "adversaryAttacked", OutputShape.PerPath, AdversaryOutput.Attacked, OutputStorage.Flag, "flag",
            Positive | Target, "the front-runner attacked")
        {
            Mechanism = "adversary", ProbabilityKey = "probabilities.adversaryAttack", ProbabilityLabel = "front-runner attacks",
        },
    ];
}
