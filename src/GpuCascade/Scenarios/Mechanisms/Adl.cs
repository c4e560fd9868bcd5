using System.Text.Json;
using GpuCascade.Kernels;

namespace GpuCascade.Scenarios;

/// <summary>
/// Auto-deleveraging on the host (docs/model.md section 8.3; the path's side is kernels/GpuCascade.Kernels/Mechanisms/Adl.cs):
/// the binding of <c>venue.adl</c> (<see cref="VenueSpec.Adl"/>), its canonical JSON (which the normalised YAML lays out)
/// its packing into <see cref="AdlParams"/> and its outputs (rows of the output schema). It has no validation rule: true and false are both valid, and binding
/// accepts nothing else.
/// </summary>
internal static class AdlModule
{
    /// <summary>The venue's key.</summary>
    public const string Name = "adl";

    /// <summary>Reads <c>adl: true | false</c> (optional) from the venue's mapping.</summary>
    public static bool? Bind(MapReader venue) => venue.Choice(Name, false, ("true", true), ("false", false));

    /// <summary>The venue with the value read, when one was.</summary>
    public static VenueSpec Apply(VenueSpec venue, bool? adl) => adl is bool deleveraging ? venue with { Adl = deleveraging } : venue;

    /// <summary><c>"adl": true</c>, only when on.</summary>
    public static void WriteJson(Utf8JsonWriter w, VenueSpec v)
    {
        if (v.Adl) w.WriteBoolean(Name, true);
    }

    /// <summary>The kernel's parameters.</summary>
    public static AdlParams Pack(bool adl) => new() { On = adl ? 1 : 0 };

    /// <summary>Its outputs (the model writes them at <see cref="AdlOutput"/>'s slots): the notional it closed, the loss it
    /// absorbed and how often it took some (<c>adl.notional</c>, <c>adl.lossAbsorbed</c>, <c>probabilities.adl</c>).</summary>
    public static readonly OutputRow[] Outputs =
    [
        new("adl.notional", "adlNotional", OutputShape.PerPath, AdlOutput.Notional, OutputStorage.Real, "USD", OutputAggregations.Mean,
            "notional deleveraged by ADL") { Mechanism = Name },
        new("adl.lossAbsorbed", "adlAbsorbed", OutputShape.PerPath, AdlOutput.LossAbsorbed, OutputStorage.Real, "USD",
            OutputAggregations.Mean | OutputAggregations.Positive | OutputAggregations.Target, "loss absorbed by ADL")
        {
            Mechanism = Name, ProbabilityKey = "probabilities.adl", ProbabilityLabel = "auto-deleveraging",
        },
    ];
}
