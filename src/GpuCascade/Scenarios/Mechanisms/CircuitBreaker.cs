using System.Text.Json;
using GpuCascade.Kernels;
using static GpuCascade.Kernels.OutputAggregations;
using static GpuCascade.Scenarios.ScenarioNumbers;

namespace GpuCascade.Scenarios;

/// <summary>What a circuit breaker halts.</summary>
public enum CircuitBreakerScope
{
    /// <summary>Liquidations only; other participants keep trading.</summary>
    Liquidations,
    /// <summary>Liquidations and every other participant's trading (returning liquidity, ...).</summary>
    All,
}

/// <summary>
/// The venue's circuit breaker (docs/model.md section 8.8): when some asset's traded price has moved by
/// <paramref name="Move"/> or more against a step-end price of the trailing <paramref name="Window"/>, liquidations (and with
/// <see cref="CircuitBreakerScope.All"/> all trading) halt for <paramref name="Halt"/>. In YAML,
/// <c>venue.circuitBreaker: {move: 0.1, window: 5m, halt: 15m, scope: liquidations}</c>; in code,
/// <c>VenueBuilder.Mechanism(new CircuitBreakerSpec(0.1, Duration.Parse("5m"), Duration.Parse("15m")))</c>.
/// </summary>
/// <param name="Move">The threshold, a fraction in (0, 1): a price at or beyond (1 + m) or (1 - m) times a window price trips it.</param>
/// <param name="Window">The trailing window, at least one step (rounded to whole steps).</param>
/// <param name="Halt">How long trading halts, at least one step (rounded to whole steps, counted from the step it trips in).</param>
/// <param name="Scope">What halts [liquidations].</param>
public sealed record CircuitBreakerSpec(double Move, Duration Window, Duration Halt, CircuitBreakerScope Scope = CircuitBreakerScope.Liquidations)
    : MechanismSpec;

/// <summary>
/// The circuit breaker on the host (docs/model.md section 8.8; the path's side is
/// kernels/GpuCascade.Kernels/Mechanisms/CircuitBreaker.cs): <c>venue.circuitBreaker</c>, its rules, canonical JSON,
/// packing (with the window's step-end prices in the path's mechanism region) and outputs.
/// </summary>
internal sealed class CircuitBreakerModule : MechanismModule<CircuitBreakerSpec>
{
    public override string Key => "circuitBreaker";

    public override MechanismScope Scope => MechanismScope.Venue;

    /// <summary>Binds <c>{move, window, halt, scope}</c>: the first three required, scope [liquidations].</summary>
    public override MechanismSpec? Bind(NodeReader r, ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var move = m.Number("move", required: true);
        var window = m.Duration("window", required: true);
        var halt = m.Duration("halt", required: true);
        var scope = m.Choice("scope", false, ("liquidations", CircuitBreakerScope.Liquidations), ("all", CircuitBreakerScope.All));
        m.Done();
        return move is double mv && window is { } w && halt is { } h ? new CircuitBreakerSpec(mv, w, h, scope ?? CircuitBreakerScope.Liquidations) : null;
    }

    protected override void Validate(Diagnostics d, string path, CircuitBreakerSpec spec, Scenario scenario, int assetIndex)
    {
        d.InRange(FieldPath.Key(path, "move"), spec.Move, 0, 1, lowClosed: false, highClosed: false);
        foreach (var (key, duration) in new[] { ("window", spec.Window), ("halt", spec.Halt) })
            AtLeastOneStep(d, FieldPath.Key(path, key), duration, scenario);
        d.Require(Enum.IsDefined(spec.Scope), FieldPath.Key(path, "scope"), $"must be liquidations or all, got {spec.Scope}");
    }

    protected override void WriteJson(Utf8JsonWriter w, CircuitBreakerSpec spec)
    {
        ScenarioJson.Number(w, "move", spec.Move);
        w.WriteString("window", spec.Window.Text);
        w.WriteString("halt", spec.Halt.Text);
        w.WriteString("scope", spec.Scope == CircuitBreakerScope.All ? "all" : "liquidations");
    }

    /// <summary>Each venue's breaker (one entry with one venue; with several, each venue's own).</summary>
    private static CircuitBreakerSpec?[] PerVenue(Scenario scenario) => VenuesModule.PerVenue<CircuitBreakerSpec>(scenario);

    /// <summary>The longest window's step-end log prices: its steps times the assets (markets).</summary>
    public override int RegionSlots(Scenario scenario) =>
        PerVenue(scenario).OfType<CircuitBreakerSpec>().ToList() is { Count: > 0 } specs && scenario.Steps > 0 && !scenario.Assets.IsDefaultOrEmpty
            ? (int)Math.Min(int.MaxValue, (long)specs.Max(spec => Math.Max(1, StepsOf(spec.Window, scenario))) * scenario.Assets.Length)
            : 0;

    public override void Pack(PlanPacking packing, ref PlanLayout layout)
    {
        var scenario = packing.Scenario;
        var specs = PerVenue(scenario);
        if (specs.All(b => b is null))
        {
            layout.CircuitBreaker = default;
            return;
        }
        int Steps(Duration d) => Math.Max(1, StepsOf(d, scenario));
        layout.CircuitBreaker = new CircuitBreakerParams
        {
            On = 1,
            VenueOn = packing.Ints(specs.Select(b => b is null ? 0 : 1)),
            AllFlow = packing.Ints(specs.Select(b => b is { Scope: CircuitBreakerScope.All } ? 1 : 0)),
            WindowSteps = packing.Ints(specs.Select(b => b is null ? 0 : Steps(b.Window))),
            HaltSteps = packing.Ints(specs.Select(b => b is null ? 0 : Steps(b.Halt))),
            LogDown = packing.Reals(specs.Select(b => b is null ? 0 : Math.Log(1 - b.Move))),
            LogUp = packing.Reals(specs.Select(b => b is null ? 0 : Math.Log(1 + b.Move))),
            RingSteps = specs.OfType<CircuitBreakerSpec>().Max(b => Steps(b.Window)),
            Ring = packing.RegionOffset,
        };
    }

    public override IReadOnlyList<OutputRow> Outputs { get; } =
    [
        new("circuitBreaker.halts", "breakerHalts", OutputShape.PerPath, CircuitBreakerOutput.Halts, OutputStorage.Real, "halts",
            Mean | Positive | Target, "circuit-breaker halts")
        {
            Mechanism = "circuitBreaker", ProbabilityKey = "probabilities.circuitBreakerHalt", ProbabilityLabel = "circuit breaker halted",
        },
        new("circuitBreaker.haltedSteps", "breakerHaltedSteps", OutputShape.PerPath, CircuitBreakerOutput.HaltedSteps, OutputStorage.Real,
            "steps", Mean, "steps with trading halted") { Mechanism = "circuitBreaker" },
    ];
}
