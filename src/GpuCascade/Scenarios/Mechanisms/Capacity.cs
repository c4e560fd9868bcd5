using System.Text.Json;
using GpuCascade.Kernels;
using static GpuCascade.Scenarios.ScenarioNumbers;

namespace GpuCascade.Scenarios;

/// <summary>
/// Liquidation capacity on the host (docs/model.md section 8.2; the path's side is
/// kernels/GpuCascade.Kernels/Mechanisms/Capacity.cs): the binding of <c>venue.liquidationCapacity</c>
/// (<see cref="VenueSpec.LiquidationCapacity"/>), its validation rule, its canonical JSON (which the normalised YAML lays
/// out), its packing into <see cref="CapacityParams"/> and its outputs (rows of the output schema: the queue).
/// </summary>
internal static class CapacityModule
{
    /// <summary>The venue's key.</summary>
    public const string Name = "liquidationCapacity";

    /// <summary>The key's field path.</summary>
    public const string Path = "venue." + Name;

    /// <summary>Reads <c>liquidationCapacity</c> (optional; <c>.inf</c> for none) from the venue's mapping.</summary>
    public static double? Bind(MapReader venue) => venue.Number(Name);

    /// <summary>The venue with the value read, when one was.</summary>
    public static VenueSpec Apply(VenueSpec venue, double? capacity) => capacity is double cap ? venue with { LiquidationCapacity = cap } : venue;

    /// <summary>The capacity is &gt; 0 (+infinity: none).</summary>
    public static void Validate(Diagnostics d, VenueSpec v) =>
        d.Require(v.LiquidationCapacity > 0, Path,
            $"must be > 0 (USD of notional per hour per asset; .inf for none), got {Format(v.LiquidationCapacity)}");

    /// <summary><c>"liquidationCapacity"</c>, only when finite.</summary>
    public static void WriteJson(Utf8JsonWriter w, VenueSpec v)
    {
        if (!double.IsPositiveInfinity(v.LiquidationCapacity)) ScenarioJson.Number(w, Name, v.LiquidationCapacity);
    }

    /// <summary>The kernel's parameters: the capacity per hour as position notional per step of <paramref name="dt"/> years.</summary>
    public static CapacityParams Pack(double liquidationCapacity, double dt) => new()
    {
        On = double.IsPositiveInfinity(liquidationCapacity) ? 0 : 1,
        PerStep = liquidationCapacity * dt * 8760.0,
    };

    /// <summary>Its outputs (the model writes them at <see cref="CapacityOutput"/>'s slots): the queue, the largest notional
    /// waiting at a step's end and the steps that ended with one (<c>queue.maxNotional</c>, <c>queue.steps</c>).</summary>
    public static readonly OutputRow[] Outputs =
    [
        new("queue.maxNotional", "queueMaxNotional", OutputShape.PerPath, CapacityOutput.MaxNotional, OutputStorage.Real, "USD",
            OutputAggregations.Mean | OutputAggregations.Target, "largest notional waiting in the liquidation queue") { Mechanism = "queue" },
        new("queue.steps", "queueSteps", OutputShape.PerPath, CapacityOutput.Steps, OutputStorage.Real, "steps", OutputAggregations.Mean,
            "steps ending with a liquidation queue") { Mechanism = "queue" },
    ];
}
