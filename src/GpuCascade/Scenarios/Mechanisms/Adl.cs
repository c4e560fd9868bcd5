using System.Text.Json;
using GpuCascade.Kernels;

namespace GpuCascade.Scenarios;

/// <summary>
/// Auto-deleveraging on the host (docs/model.md section 8.3; the path's side is kernels/GpuCascade.Kernels/Mechanisms/Adl.cs):
/// the binding of <c>venue.adl</c> (<see cref="VenueSpec.Adl"/>), its canonical JSON (which the normalised YAML lays out)
/// and its packing into <see cref="AdlParams"/>. It has no validation rule: true and false are both valid, and binding
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
}
