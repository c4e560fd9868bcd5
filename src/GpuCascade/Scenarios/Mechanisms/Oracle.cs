using System.Text.Json;
using GpuCascade.Kernels;

namespace GpuCascade.Scenarios;

/// <summary>
/// The oracle on the host (docs/model.md section 5, item 1; the path's side is kernels/GpuCascade.Kernels/Mechanisms/Oracle.cs):
/// the binding of <c>venue.oracleDelaySteps</c> (<see cref="VenueSpec.OracleDelaySteps"/>), its validation rule, its
/// canonical JSON (which the normalised YAML lays out) and its packing into <see cref="OracleParams"/>.
/// </summary>
internal static class OracleModule
{
    /// <summary>The venue's key.</summary>
    public const string Name = "oracleDelaySteps";

    /// <summary>The key's field path.</summary>
    public const string Path = "venue." + Name;

    /// <summary>Reads <c>oracleDelaySteps</c> (optional; 0 = live) from the venue's mapping.</summary>
    public static int? Bind(MapReader venue) => venue.Int(Name, min: 0, max: int.MaxValue);

    /// <summary>The venue with the value read, when one was.</summary>
    public static VenueSpec Apply(VenueSpec venue, int? delay) => delay is int d ? venue with { OracleDelaySteps = d } : venue;

    /// <summary>The delay is a non-negative integer.</summary>
    public static void Validate(Diagnostics d, VenueSpec v) => d.IntegerIn(Path, v.OracleDelaySteps, 0, int.MaxValue);

    /// <summary><c>"oracleDelaySteps"</c>, always (0 for live).</summary>
    public static void WriteJson(Utf8JsonWriter w, VenueSpec v) => w.WriteNumber(Name, v.OracleDelaySteps);

    /// <summary>The delay a run of <paramref name="steps"/> steps uses: any longer delay sees only the starting price.</summary>
    public static int EffectiveDelay(int oracleDelaySteps, int steps) => Math.Min(oracleDelaySteps, steps);

    /// <summary>The kernel's parameters, from the effective delay (<see cref="EffectiveDelay"/>).</summary>
    public static OracleParams Pack(int delay) => new() { Delay = delay };
}
