using System.Collections;
using System.Collections.Immutable;
using System.Text.Json;
using GpuCascade.Kernels;

namespace GpuCascade.Scenarios;

/// <summary>
/// A mechanism's terms in a scenario (docs/model.md section 8): a record that an asset or the venue holds in its
/// <see cref="MechanismSet"/> (<see cref="AssetSpec.Mechanisms"/>, <see cref="VenueSpec.Mechanisms"/>). Each mechanism
/// derives its own; value equality is the record's.
/// </summary>
public abstract record MechanismSpec;

/// <summary>
/// The mechanisms an asset or the venue has, at most one of each type, immutable and compared by value. Absent: the
/// mechanism is off.
/// </summary>
public sealed class MechanismSet : IEquatable<MechanismSet>, IEnumerable<MechanismSpec>
{
    private readonly ImmutableArray<MechanismSpec> _specs; // sorted by type name, so that equality ignores insertion order

    private MechanismSet(ImmutableArray<MechanismSpec> specs) => _specs = specs;

    /// <summary>No mechanism.</summary>
    public static MechanismSet Empty { get; } = new(ImmutableArray<MechanismSpec>.Empty);

    /// <summary>How many mechanisms the set holds.</summary>
    public int Count => _specs.Length;

    /// <summary>The spec of type <typeparamref name="T"/>, or null when the mechanism is off.</summary>
    public T? Get<T>() where T : MechanismSpec => _specs.OfType<T>().FirstOrDefault();

    /// <summary>The set with <paramref name="spec"/> in place of any spec of its type.</summary>
    public MechanismSet With(MechanismSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new(_specs.Where(s => s.GetType() != spec.GetType()).Append(spec)
            .OrderBy(s => s.GetType().FullName, StringComparer.Ordinal).ToImmutableArray());
    }

    /// <summary>The set without the spec of type <typeparamref name="T"/> (the mechanism off).</summary>
    public MechanismSet Without<T>() where T : MechanismSpec => new(_specs.Where(s => s is not T).ToImmutableArray());

    /// <inheritdoc/>
    public bool Equals(MechanismSet? other) => other is not null && _specs.SequenceEqual(other._specs);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as MechanismSet);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var s in _specs) h.Add(s);
        return h.ToHashCode();
    }

    /// <inheritdoc/>
    public IEnumerator<MechanismSpec> GetEnumerator() => ((IEnumerable<MechanismSpec>)_specs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() => _specs.Length == 0 ? "none" : string.Join(", ", _specs);
}

/// <summary>Where a mechanism's YAML subtree sits: under each asset (<c>assets[i].key</c>) or under the venue (<c>venue.key</c>).</summary>
internal enum MechanismScope
{
    Asset,
    Venue,
}

/// <summary>What a module packs into the plan with: the scenario, the step and the plan's packed arrays (each call
/// appends an array and returns where it starts).</summary>
internal sealed class PlanPacking(Scenario scenario, double dt, Func<IEnumerable<double>, int> realArray, Func<IEnumerable<int>, int> intArray)
{
    public Scenario Scenario => scenario;

    /// <summary>Where the module's part of the path's mechanism region starts (its <see cref="MechanismModule.RegionSlots"/>),
    /// relative to <see cref="PlanLayout.MechanismSlot"/>.</summary>
    public int RegionOffset { get; internal set; }

    /// <summary>Step in years.</summary>
    public double Dt => dt;

    public int Reals(IEnumerable<double> values) => realArray(values);

    public int Ints(IEnumerable<int> values) => intArray(values);
}

/// <summary>
/// A mechanism on the host, one file each under Scenarios/Mechanisms/ (docs/architecture.md, "Adding a mechanism"): the
/// binding of its YAML subtree, its validation, its canonical JSON (which the normalised YAML lays out), its packing into
/// the plan's <see cref="PlanLayout"/> and its rows of the output schema. <see cref="MechanismCatalogue"/> finds every
/// non-abstract subclass in the assembly, so nothing else names it: the binder, validator, JSON writer, packed plan and
/// output schema loop over the catalogue.
/// </summary>
internal abstract class MechanismModule
{
    /// <summary>The key of its subtree (<c>returningLiquidity</c>), also its outputs' key prefix.</summary>
    public abstract string Key { get; }

    /// <summary>Under each asset or under the venue.</summary>
    public abstract MechanismScope Scope { get; }

    /// <summary>Its place in the catalogue (JSON key order and output rows): lower first, then by key.</summary>
    public virtual int Order => 100;

    /// <summary>The spec's type.</summary>
    public abstract Type SpecType { get; }

    /// <summary>Binds the subtree <paramref name="node"/> at <paramref name="path"/>; null when it has errors (reported
    /// through <paramref name="r"/>).</summary>
    public abstract MechanismSpec? Bind(NodeReader r, ScenarioNode node, string path);

    /// <summary>Reports every problem of <paramref name="spec"/> at <paramref name="path"/> (<c>assets[1].key</c>) of the
    /// asset <paramref name="assetIndex"/> (-1 for the venue) of <paramref name="scenario"/>.</summary>
    public abstract void Validate(Diagnostics d, string path, MechanismSpec spec, Scenario scenario, int assetIndex);

    /// <summary>Writes the spec's members into its JSON object (opened and closed by the caller).</summary>
    public abstract void WriteJson(Utf8JsonWriter w, MechanismSpec spec);

    /// <summary>Real slots of a path's state it needs besides its [StateBlock] (0 when off): a region sized by the scenario,
    /// such as a history of several steps. Its part starts at <see cref="PlanPacking.RegionOffset"/>. Called on scenarios
    /// that may not be valid yet (a resource estimate): it must not throw.</summary>
    public virtual int RegionSlots(Scenario scenario) => 0;

    /// <summary>Sets its parameters in the plan (a mechanism off writes its off switch).</summary>
    public abstract void Pack(PlanPacking packing, ref PlanLayout layout);

    /// <summary>Its rows of the output schema (the kernel writes them at its [OutputBlock]'s slots).</summary>
    public virtual IReadOnlyList<OutputRow> Outputs => [];

    /// <summary>A duration in whole steps of <paramref name="scenario"/> (rounded), at most the scenario's steps.</summary>
    internal static int StepsOf(Duration duration, Scenario scenario)
    {
        double steps = Math.Round(duration.Years / (scenario.Horizon.Years / scenario.Steps));
        return double.IsFinite(steps) ? (int)Math.Clamp(steps, 0, Math.Max(1, scenario.Steps)) : 0;
    }

    /// <summary>Reports at <paramref name="path"/> a duration that is not positive or shorter than one step of
    /// <paramref name="scenario"/>; true when it is at least one step (or the scenario's step is unknown).</summary>
    protected static bool AtLeastOneStep(Diagnostics d, string path, Duration duration, Scenario scenario) =>
        d.PositiveDuration(path, duration) && (scenario.Steps <= 0 || !(scenario.Horizon.Years > 0)
            || d.Require(duration.Years >= (1 - 1e-9) * scenario.Horizon.Years / scenario.Steps, path,
                $"must be at least one step ({scenario.Horizon.Text} / {scenario.Steps}), got {duration.Text ?? ScenarioNumbers.Format(duration.Years) + " years"}"));
}

/// <summary>A <see cref="MechanismModule"/> whose spec is <typeparamref name="TSpec"/>.</summary>
internal abstract class MechanismModule<TSpec> : MechanismModule where TSpec : MechanismSpec
{
    public sealed override Type SpecType => typeof(TSpec);

    public sealed override void Validate(Diagnostics d, string path, MechanismSpec spec, Scenario scenario, int assetIndex) =>
        Validate(d, path, (TSpec)spec, scenario, assetIndex);

    public sealed override void WriteJson(Utf8JsonWriter w, MechanismSpec spec) => WriteJson(w, (TSpec)spec);

    /// <inheritdoc cref="MechanismModule.Validate"/>
    protected abstract void Validate(Diagnostics d, string path, TSpec spec, Scenario scenario, int assetIndex);

    /// <inheritdoc cref="MechanismModule.WriteJson"/>
    protected abstract void WriteJson(Utf8JsonWriter w, TSpec spec);
}

/// <summary>Every <see cref="MechanismModule"/> of the assembly, in order (<see cref="MechanismModule.Order"/>, then key).</summary>
internal static class MechanismCatalogue
{
    public static ImmutableArray<MechanismModule> All { get; } = typeof(MechanismModule).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && t.IsSubclassOf(typeof(MechanismModule)))
        .Select(t => (MechanismModule)Activator.CreateInstance(t, nonPublic: true)!)
        .OrderBy(m => m.Order).ThenBy(m => m.Key, StringComparer.Ordinal).ToImmutableArray();

    /// <summary>The modules whose subtree sits under <paramref name="scope"/>.</summary>
    public static IEnumerable<MechanismModule> In(MechanismScope scope) => All.Where(m => m.Scope == scope);

    /// <summary>Binds the subtrees of <paramref name="scope"/>'s mechanisms present in <paramref name="owner"/>; a key whose
    /// value is <c>off</c> adds none (it leaves out a mechanism a venue preset would set).</summary>
    public static MechanismSet Bind(NodeReader r, MapReader owner, MechanismScope scope)
    {
        var set = MechanismSet.Empty;
        foreach (var m in In(scope))
            if (owner[m.Key] is { } node && node is not ScalarNode { Text: Off } && m.Bind(r, node, owner.PathOf(m.Key)) is { } spec)
                set = set.With(spec);
        return set;
    }

    /// <summary>The value of a mechanism's key that leaves it out.</summary>
    public const string Off = "off";

    /// <summary>Validates each spec of <paramref name="set"/>, of the owner at <paramref name="ownerPath"/>.</summary>
    public static void Validate(Diagnostics d, string ownerPath, MechanismSet set, MechanismScope scope, Scenario scenario, int assetIndex)
    {
        foreach (var spec in set)
        {
            if (All.FirstOrDefault(m => m.SpecType == spec.GetType()) is not { } m)
                d.Add(ownerPath, $"{spec.GetType().Name} is no mechanism of this engine (none of its modules takes it)");
            else if (m.Scope != scope) d.Add(FieldPath.Key(ownerPath, m.Key), $"belongs under {(m.Scope == MechanismScope.Asset ? "an asset" : "the venue")}");
            else m.Validate(d, FieldPath.Key(ownerPath, m.Key), spec, scenario, assetIndex);
        }
    }

    /// <summary>Each spec of <paramref name="set"/> as an object named by its key, in catalogue order.</summary>
    public static void WriteJson(Utf8JsonWriter w, MechanismSet set)
    {
        foreach (var m in All)
            if (set.FirstOrDefault(s => s.GetType() == m.SpecType) is { } spec)
            {
                w.WriteStartObject(m.Key);
                m.WriteJson(w, spec);
                w.WriteEndObject();
            }
    }

    /// <summary>Every module's parameters into <paramref name="layout"/>.</summary>
    public static void Pack(PlanPacking packing, ref PlanLayout layout)
    {
        int offset = 0;
        foreach (var m in All)
        {
            packing.RegionOffset = offset;
            m.Pack(packing, ref layout);
            offset += m.RegionSlots(packing.Scenario);
        }
        // Several venues (not a catalogued mechanism): the arbitrageurs' ring of delayed gaps.
        layout.Venues.Ring = offset;
        offset += VenuesModule.RingSlots(packing.Scenario);
        layout.MechanismSlots = offset;
    }

    /// <summary>The path's mechanism region for <paramref name="scenario"/>: every module's <see cref="MechanismModule.RegionSlots"/>.</summary>
    public static long RegionSlots(Scenario scenario) => All.Sum(m => (long)m.RegionSlots(scenario)) + VenuesModule.RingSlots(scenario);

    /// <summary>Whether <paramref name="key"/> is a catalogued mechanism that no asset and not the venue of
    /// <paramref name="scenario"/> has (false for a key no module has, such as those of the five older mechanisms).</summary>
    public static bool IsOff(Scenario scenario, string key) =>
        All.FirstOrDefault(m => m.Key == key) is { } module
        && !scenario.Assets.SelectMany(a => a.Mechanisms).Concat(scenario.Venue.Mechanisms).Any(s => s.GetType() == module.SpecType);

    /// <summary>Every module's output rows, in catalogue order.</summary>
    public static IEnumerable<OutputRow> Outputs => All.SelectMany(m => m.Outputs);
}
