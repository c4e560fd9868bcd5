using GpuCascade.Scenarios;

namespace GpuCascade.Tests.Docs;

/// <summary>
/// The library's public surface changes only on purpose: its exported types are compared with the checked-in list
/// docs/public-api.txt (one full type name a line, sorted ordinally; docs/architecture.md, "The public API"). A type
/// made public or internal, renamed or moved to another namespace fails here until the list is updated with it.
/// </summary>
public class PublicApiTests
{
    /// <summary>The checked-in list, relative to the repository root.</summary>
    private const string ListFile = "docs/public-api.txt";

    [Test]
    public void The_public_types_are_the_listed_ones()
    {
        var actual = ExportedTypeNames();
        var listed = ListedTypeNames();
        var added = actual.Except(listed, StringComparer.Ordinal).ToList();
        var removed = listed.Except(actual, StringComparer.Ordinal).ToList();
        if (added.Count > 0 || removed.Count > 0)
            Assert.Fail($"the library's public types differ from {ListFile} ({actual.Count} public, {listed.Count} listed); " +
                        "if the change is meant, update the list (sorted ordinally) in the same commit.\n" +
                        (added.Count > 0 ? "public but not listed:\n  " + string.Join("\n  ", added) + "\n" : "") +
                        (removed.Count > 0 ? "listed but not public:\n  " + string.Join("\n  ", removed) + "\n" : ""));
    }

    [Test]
    public void The_list_is_sorted_and_has_no_duplicates()
    {
        var listed = ListedTypeNames();
        Assert.That(listed, Is.EqualTo(listed.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
            $"{ListFile}: one name a line, sorted ordinally, each once");
    }

    /// <summary>The check sees the library: research code's entry points are exported.</summary>
    [Test]
    public void The_entry_points_are_public()
    {
        var actual = ExportedTypeNames();
        Assert.That(actual, Has.Member("GpuCascade.Scenarios.Scenario")
            .And.Member("GpuCascade.Scenarios.ScenarioLoader")
            .And.Member("GpuCascade.Simulation.SimulationEngine"));
    }

    /// <summary>The full names of the library's exported types (nested ones with '+'), sorted ordinally.</summary>
    internal static List<string> ExportedTypeNames() =>
        [.. typeof(Scenario).Assembly.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal)];

    private static List<string> ListedTypeNames() =>
        [.. File.ReadAllLines(Path.Combine(DocsCodeTests.RepositoryRoot(), ListFile))
            .Select(l => l.Trim()).Where(l => l.Length > 0)];
}
