using System.Text.RegularExpressions;

namespace GpuCascade.Tests.Docs;

/// <summary>
/// The repository cites only itself: its comments and documentation point to docs/model.md (by numbered section) and
/// docs/architecture.md, never to design notes kept elsewhere; every docs/ file and quoted heading they name exists; and
/// comments say what the code does, not which issue brought it. Plain scans of the text files, no build outputs.
/// </summary>
public partial class RepositoryReferencesTests
{
    /// <summary>Extensions of the text files scanned (plus the extension-less scripts under .ci/).</summary>
    private static readonly HashSet<string> TextExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".cs", ".md", ".csproj", ".props", ".sln", ".yaml", ".yml", ".json", ".sh", ".sbatch", ".py",
    };

    /// <summary>Folders never scanned: build outputs, test results, git's own.</summary>
    private static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal)
    {
        ".git", "bin", "obj", "out", "artifacts", "TestResults", "BenchmarkDotNet.Artifacts", "node_modules",
    };

    /// <summary>The sections of docs/model.md that the specification must have (the code cites them by number).</summary>
    private static readonly string[] SpecificationSections =
        ["1", "2", "3", "4", "5", "6", "7", "8", "8.1", "8.2", "8.3", "8.4", "8.5"];

    [Test]
    public void NoFileCitesDesignNotesOutsideTheRepository()
    {
        // The upper-case names of the design notes the model and architecture documents were written from; built here
        // so that this file does not cite them itself.
        string[] notes = ["MODEL", "ARCHITECTURE"];
        var pattern = new Regex(@"(?<![\w/.-])(" + string.Join("|", notes) + @")\.md\b");
        var offenders = Matches(pattern).ToList();
        Assert.That(offenders, Is.Empty,
            "cite docs/model.md (by section) or docs/architecture.md instead:\n" + string.Join("\n", offenders));
    }

    [Test]
    public void NoFileCitesTheProjectsSharedFolder()
    {
        // The folder beside the repository with the company's notes, data and the native peer: code and docs describe
        // what they need in their own words (the peer's folder is a variable, PEERS_DIR). Built here so that this file
        // does not cite it itself.
        var pattern = new Regex(Regex.Escape("../" + "shared") + @"\b");
        var offenders = Matches(pattern).ToList();
        Assert.That(offenders, Is.Empty, "cite files inside the repository only:\n" + string.Join("\n", offenders));
    }

    [Test]
    public void EveryCitedDocumentAndHeadingExists()
    {
        string root = DocsCodeTests.RepositoryRoot();
        var offenders = new List<string>();
        foreach (var (file, line, match) in Matches(DocsPath()))
        {
            string cited = match.Groups["path"].Value;
            string full = Path.Combine(root, cited.Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(full))
            {
                offenders.Add($"{file}:{line}: {cited} does not exist");
                continue;
            }
            var heading = match.Groups["heading"];
            if (heading.Success && cited.EndsWith(".md", StringComparison.Ordinal)
                && !Headings(File.ReadAllText(full)).Any(h => h.StartsWith(heading.Value, StringComparison.Ordinal)))
                offenders.Add($"{file}:{line}: {cited} has no heading \"{heading.Value}\"");
        }
        Assert.That(offenders, Is.Empty, string.Join("\n", offenders));
    }

    [Test]
    public void ModelDocumentCarriesTheNumberedSpecification()
    {
        var numbers = SectionNumbers();
        Assert.That(SpecificationSections.Where(s => !numbers.Contains(s)), Is.Empty,
            "docs/model.md must have these numbered sections; it has: " + string.Join(", ", numbers.Order()));
    }

    [Test]
    public void EveryCitedModelSectionExists()
    {
        var numbers = SectionNumbers();
        var offenders = new List<string>();
        foreach (var (file, line, match) in Matches(ModelCitation()))
            foreach (Capture number in match.Groups["number"].Captures)
                if (!numbers.Contains(number.Value))
                    offenders.Add($"{file}:{line}: docs/model.md has no section {number.Value} (\"{match.Value}\")");
        // The model's own cross-references ("section 8.4", "sections 3-5") inside docs/model.md.
        string model = File.ReadAllText(Path.Combine(DocsCodeTests.RepositoryRoot(), "docs", "model.md"));
        foreach (var (line, match) in LineMatches(model, SectionReference()))
            foreach (Capture number in match.Groups["number"].Captures)
                if (!numbers.Contains(number.Value))
                    offenders.Add($"docs/model.md:{line}: no section {number.Value} (\"{match.Value}\")");
        Assert.That(offenders, Is.Empty, string.Join("\n", offenders));
    }

    [Test]
    public void NoCommentOrDocumentSpeaksOfIssueNumbers()
    {
        var offenders = Matches(IssueNumber()).ToList();
        Assert.That(offenders, Is.Empty,
            "say what the code does, not which issue brought it:\n" + string.Join("\n", offenders));
    }

    [Test]
    public void ArchitectureNamesOnlyPathsThatExist()
    {
        string root = DocsCodeTests.RepositoryRoot();
        string file = Path.Combine(root, "docs", "architecture.md");
        Assert.That(File.Exists(file), Is.True, "docs/architecture.md describes the shape of the code");
        var missing = new List<string>();
        foreach (var (line, match) in LineMatches(File.ReadAllText(file), CodeSpan()))
        {
            string path = match.Groups[1].Value.TrimEnd('/');
            if (!path.Contains('/') || path.Contains('<') || path.Contains(' ')) continue; // names, not paths
            string full = Path.Combine(root, path.Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(full) && !Directory.Exists(full)) missing.Add($"docs/architecture.md:{line}: {path}");
        }
        Assert.That(missing, Is.Empty, string.Join("\n", missing));
    }

    [Test]
    public void TheScansSeeTheRepository()
    {
        // A scan that finds no files passes every test above vacuously: make sure it sees the code and the docs.
        var files = TextFiles(DocsCodeTests.RepositoryRoot()).ToList();
        Assert.That(files, Does.Contain("kernels/GpuCascade.Kernels/Path/CascadePath.cs"));
        Assert.That(files, Does.Contain("docs/model.md"));
        Assert.That(files, Does.Contain("bench/README.md"));
        Assert.That(files.Any(f => f.StartsWith("tests/", StringComparison.Ordinal)), Is.True);
        Assert.That(Matches(ModelCitation()).Count(), Is.GreaterThan(50), "the code cites the model by section");
    }

    // ------------------------------------------------------------------ scanning

    /// <summary>The text files of the repository, relative to its root with forward slashes, in ordinal order.</summary>
    private static IEnumerable<string> TextFiles(string root)
    {
        var found = new List<string>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            foreach (string sub in Directory.EnumerateDirectories(dir))
                if (!SkippedFolders.Contains(Path.GetFileName(sub))) pending.Push(sub);
            foreach (string file in Directory.EnumerateFiles(dir))
            {
                string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                bool script = relative.StartsWith(".ci/", StringComparison.Ordinal) && Path.GetExtension(file).Length == 0;
                if (script || TextExtensions.Contains(Path.GetExtension(file))) found.Add(relative);
            }
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>Every match of <paramref name="pattern"/> in the repository's text files, with its file and line.</summary>
    private static IEnumerable<(string File, int Line, Match Match)> Matches(Regex pattern)
    {
        string root = DocsCodeTests.RepositoryRoot();
        foreach (string file in TextFiles(root))
            foreach (var (line, match) in LineMatches(File.ReadAllText(Path.Combine(root, file)), pattern))
                yield return (file, line, match);
    }

    /// <summary>Every match of <paramref name="pattern"/> in <paramref name="text"/> with its 1-based line.</summary>
    private static IEnumerable<(int Line, Match Match)> LineMatches(string text, Regex pattern)
    {
        string[] lines = text.ReplaceLineEndings("\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
            foreach (Match m in pattern.Matches(lines[i]))
                yield return (i + 1, m);
    }

    /// <summary>The markdown headings of <paramref name="markdown"/>, without their #s.</summary>
    private static IEnumerable<string> Headings(string markdown) =>
        markdown.ReplaceLineEndings("\n").Split('\n')
            .Select(l => Heading().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value.Trim());

    /// <summary>The section numbers of docs/model.md's headings ("## 8. ...", "### 8.1 ...").</summary>
    private static HashSet<string> SectionNumbers()
    {
        string model = File.ReadAllText(Path.Combine(DocsCodeTests.RepositoryRoot(), "docs", "model.md"));
        return Headings(model).Select(h => SectionNumber().Match(h)).Where(m => m.Success)
            .Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A path under docs/ (a file name with an extension), optionally followed by a quoted heading. A path that
    /// opens a string literal (a test's made-up file name, <c>"docs/...</c>) is data, not a citation.</summary>
    [GeneratedRegex(@"(?<![\w/."".-])(?<path>docs/[\w-]+(?:/[\w-]+)*\.(?:md|png))(?:,?\s+""(?<heading>[^""]+)"")?")]
    private static partial Regex DocsPath();

    /// <summary>"docs/model.md section 8.3", "docs/model.md sections 8.1, 8.4", "docs/model.md sections 3-5".</summary>
    [GeneratedRegex(@"docs/model\.md,?\s+sections?\s+(?<number>\d+(?:\.\d+)?)(?:\s*(?:-|,|and)\s*(?<number>\d+(?:\.\d+)?))*")]
    private static partial Regex ModelCitation();

    /// <summary>A section reference inside docs/model.md: "section 8.4", "sections 3-5", "sections 8.1-8.4".</summary>
    [GeneratedRegex(@"\bsections?\s+(?<number>\d+(?:\.\d+)?)(?:\s*(?:-|,|and)\s*(?<number>\d+(?:\.\d+)?))*")]
    private static partial Regex SectionReference();

    /// <summary>The word issue (any case, singular or plural) followed by a number, with or without #.</summary>
    [GeneratedRegex(@"\bissues?\s+#?\d+", RegexOptions.IgnoreCase)]
    private static partial Regex IssueNumber();

    /// <summary>An ATX heading; a closing run of #s counts only after a space ("From C#" keeps its #).</summary>
    [GeneratedRegex(@"^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\.?\s")]
    private static partial Regex SectionNumber();

    [GeneratedRegex(@"`([^`\s]+)`")]
    private static partial Regex CodeSpan();
}
