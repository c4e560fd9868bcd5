namespace GpuCascade.Kernels;

// How a mechanism plugs into the path model without any other file naming it (docs/architecture.md, "Adding a mechanism").
// The build's source generator (kernels/GpuCascade.Kernels.Generators) reads these attributes and writes the wiring:
// the bodies of the phases, the slot numbers of the state and output blocks, the plan's parameter fields.

/// <summary>
/// Marks a method of <see cref="CascadePath{TD,TI,TSD,TSI,TP}"/> that the phase <see cref="Phase"/> (a partial method
/// without a body, declared under Path/) calls with its own arguments. Hooks of a phase run by <see cref="Order"/>, then
/// by name; a hook checks its own switch (<c>if (_l.Capacity.On == 0) return;</c>). A phase that returns a value passes
/// its first argument through its hooks in turn.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
internal sealed class PhaseHookAttribute(string phase) : Attribute
{
    /// <summary>The phase's name (<c>nameof(OnEndOfStep)</c>).</summary>
    public string Phase { get; } = phase;

    /// <summary>Where the hook runs among the phase's hooks: lower first.</summary>
    public int Order { get; init; }

    /// <summary>The plan field (a [PlanParams] struct with an <c>On</c> switch, <c>"Backstop"</c>) that gates the call at
    /// the phase: the phase calls the hook only <c>if (_l.Backstop.On != 0)</c>, so a mechanism that is off costs a test,
    /// not a call, in every step. Only for a hook that does nothing when its mechanism is off (a chained hook passes its
    /// value through unchanged then).</summary>
    public string? Switch { get; init; }
}

/// <summary>
/// Marks a static partial class that declares a block of a path's state: <c>public const int Fields</c> per-asset real
/// fields, and optionally <c>CohortRealFields</c> and <c>CohortIntFields</c> per-cohort ones. The build gives it
/// <c>First</c> (and <c>CohortRealFirst</c>, <c>CohortIntFirst</c>): blocks follow one another by <paramref name="order"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class StateBlockAttribute(int order) : Attribute
{
    /// <summary>The block's place among the state blocks.</summary>
    public int Order { get; } = order;
}

/// <summary>
/// Marks a static partial class that declares <c>public const int Fields</c> per-path output slots; the build gives it
/// <c>First</c>, after the core outputs and the blocks of lower <paramref name="order"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class OutputBlockAttribute(int order) : Attribute
{
    /// <summary>The block's place among the output blocks.</summary>
    public int Order { get; } = order;
}

/// <summary>Marks a mechanism's blittable parameter struct; the build adds it to <see cref="PlanLayout"/> as the field
/// <paramref name="field"/>.</summary>
[AttributeUsage(AttributeTargets.Struct)]
internal sealed class PlanParamsAttribute(string field) : Attribute
{
    /// <summary>The field's name in the plan.</summary>
    public string Field { get; } = field;
}
