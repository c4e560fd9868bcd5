using GpuCascade.Scenarios;

namespace GpuCascade.Tests.Scenarios;

/// <summary>The host's catalogue of mechanisms (docs/architecture.md, "Adding a mechanism"): the set of a scenario's
/// mechanisms is a value, and the catalogue finds each module once, in a fixed order, each with its own spec type.</summary>
public class MechanismCatalogueTests
{
    private sealed record Ramp(double Rate) : MechanismSpec;

    private sealed record Floor(double Level) : MechanismSpec;

    [Test]
    public void ASetIsAValueWhoseOrderOfAdditionDoesNotMatter()
    {
        var a = MechanismSet.Empty.With(new Ramp(1)).With(new Floor(2));
        var b = MechanismSet.Empty.With(new Floor(2)).With(new Ramp(1));
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
        Assert.That(a, Is.Not.EqualTo(MechanismSet.Empty.With(new Ramp(1)).With(new Floor(3))), "a spec's values take part");
        Assert.That(a.Count, Is.EqualTo(2));
    }

    [Test]
    public void WithReplacesTheSpecOfItsTypeAndWithoutTurnsItOff()
    {
        var set = MechanismSet.Empty.With(new Ramp(1)).With(new Ramp(5));
        Assert.That(set.Count, Is.EqualTo(1));
        Assert.That(set.Get<Ramp>(), Is.EqualTo(new Ramp(5)));
        Assert.That(set.Get<Floor>(), Is.Null, "absent: off");
        Assert.That(set.Without<Ramp>(), Is.EqualTo(MechanismSet.Empty));
        Assert.That(() => set.With(null!), Throws.ArgumentNullException);
    }

    [Test]
    public void AssetsAndVenuesCompareTheirMechanisms()
    {
        var scenario = ScenarioLoader.LoadDefault();
        var asset = scenario.Assets[0];
        Assert.That(asset with { Mechanisms = asset.Mechanisms.With(new Ramp(1)) }, Is.Not.EqualTo(asset));
        var one = asset with { Mechanisms = MechanismSet.Empty.With(new Ramp(1)) };
        var other = asset with { Mechanisms = MechanismSet.Empty.With(new Ramp(1)) };
        Assert.That(one, Is.EqualTo(other), "two sets of equal specs");
        var venue = scenario.Venue;
        Assert.That(venue with { Mechanisms = venue.Mechanisms.With(new Floor(1)) }, Is.Not.EqualTo(venue));
    }

    [Test]
    public void TheCatalogueHoldsEachModuleOnceInOrderWithItsOwnSpecType()
    {
        var all = MechanismCatalogue.All;
        Assert.That(all.Select(m => m.Key), Is.Unique);
        Assert.That(all.Select(m => m.SpecType), Is.Unique);
        var keys = all.Select(m => (m.Order, m.Key)).ToList();
        Assert.That(keys, Is.EqualTo(keys.OrderBy(k => k.Order).ThenBy(k => k.Key, StringComparer.Ordinal).ToList()));
        foreach (var m in all)
        {
            Assert.That(m.SpecType.IsSubclassOf(typeof(MechanismSpec)), m.Key);
            Assert.That(m.Outputs.All(r => r.Key.StartsWith(m.Key + ".", StringComparison.Ordinal)), m.Key + ": its outputs are under its key");
        }
    }

    [Test]
    public void ASpecWithoutAModuleIsRefusedNamingItsType()
    {
        var scenario = ScenarioLoader.LoadDefault();
        var bad = scenario with { Venue = scenario.Venue with { Mechanisms = MechanismSet.Empty.With(new Floor(1)) } };
        var errors = ScenarioValidator.Validate(bad);
        Assert.That(errors.Select(e => (e.Path, e.Message)), Has.Some.Matches<(string Path, string Message)>(e => e.Path == "venue" && e.Message.Contains(nameof(Floor))));
    }

    [Test]
    public void NullMechanismsAreAnErrorNamingTheField()
    {
        var scenario = ScenarioLoader.LoadDefault();
        var bad = scenario with { Assets = [scenario.Assets[0] with { Mechanisms = null! }, .. scenario.Assets[1..]] };
        Assert.That(ScenarioValidator.Validate(bad).Select(e => e.Path), Has.Member("assets[0].mechanisms"));
    }
}
