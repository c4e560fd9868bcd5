namespace GpuCascade.Tests.Docs;

/// <summary>
/// Every fenced C# block (```csharp, ```cs, ```c#) of README.md and docs/**/*.md compiles, in-process with Roslyn, as a
/// top-level program against the engine's assemblies with a console project's implicit usings and this repository's
/// settings (nullable, warnings as errors). No block is skipped; a block that cannot stand alone is marked
/// <c>&lt;!-- compile: with previous --&gt;</c> and compiled appended to the file's previous C# block (the convention:
/// docs/interpreting.md, "For documentation writers: code in the docs"). One test case per block, named file:line.
/// </summary>
public class DocsCodeTests
{
    /// <summary>One case per C# block of the documentation; a file whose directives are malformed gives one failing case.</summary>
    public static IEnumerable<TestCaseData> Blocks()
    {
        string root = RepositoryRoot();
        foreach (string file in DocSnippets.DocumentationFiles(root))
        {
            IReadOnlyList<DocBlock> blocks;
            string? error = null;
            try { blocks = DocSnippets.Extract(file, File.ReadAllText(Path.Combine(root, file))); }
            catch (FormatException e)
            {
                blocks = [];
                error = e.Message;
            }
            if (error is not null)
                yield return new TestCaseData(null, error).SetArgDisplayNames(file);
            foreach (var block in blocks)
                yield return new TestCaseData(block, null).SetArgDisplayNames(block.ToString());
        }
    }

    [TestCaseSource(nameof(Blocks))]
    public void Block_compiles(DocBlock? block, string? extractionError)
    {
        Assert.That(extractionError, Is.Null, "the file's compile directives");
        var chain = block!.Chain();
        var diagnostics = DocSnippets.Compile(DocSnippets.Program(chain));
        string together = chain.Count > 1 ? $" (with the previous blocks from line {chain[0].Line}, '{DocBlock.WithPrevious}')" : "";
        if (diagnostics.Length > 0)
            Assert.Fail($"the C# block at {block}{together} does not compile:\n{DocSnippets.Format(diagnostics, RepositoryRoot())}");
    }

    /// <summary>The cases above are not vacuous: the blocks known to exist are found.</summary>
    [Test]
    public void The_documentation_has_the_known_blocks()
    {
        string root = RepositoryRoot();
        var all = DocSnippets.DocumentationFiles(root)
            .SelectMany(f => DocSnippets.Extract(f, File.ReadAllText(Path.Combine(root, f)))).ToList();
        Assert.That(all.Select(b => b.File), Has.Member("README.md").And.Member("docs/scenarios.md").And.Member("docs/calibration.md"));
        Assert.That(all.Count(b => b.File == "README.md" && b.Code.Contains("SimulationEngine.Run(", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(1));
    }

    /// <summary>The test can fail: a broken snippet gives an error at its markdown line, with the line's text.</summary>
    [Test]
    public void A_broken_snippet_fails_at_its_markdown_line()
    {
        const string markdown = "# Title\n\nSome text.\n\n```csharp\nusing GpuCascade.Scenarios;\n\nScenario s = ScenarioLoader.LoadDefault();\nint paths = s.Paths;\n```\n";
        var blocks = DocSnippets.Extract("docs/broken.md", markdown);
        Assert.That(blocks, Has.Count.EqualTo(1));
        Assert.That(blocks[0].Line, Is.EqualTo(6));
        var diagnostics = DocSnippets.Compile(DocSnippets.Program(blocks));
        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "CS0266" }), DocSnippets.Format(diagnostics, null)); // long to int
        var span = diagnostics[0].Location.GetMappedLineSpan();
        Assert.That((span.Path, span.StartLinePosition.Line + 1), Is.EqualTo(("docs/broken.md", 9)));
        Assert.That(DocSnippets.Format(diagnostics, null), Does.StartWith("docs/broken.md(9,13): error CS0266:"));
    }

    /// <summary>Warnings fail too, as in the repository's own projects (TreatWarningsAsErrors, nullable enabled).</summary>
    [Test]
    public void A_warning_fails_the_snippet()
    {
        var blocks = DocSnippets.Extract("x.md", "```cs\nstring? name = null;\nConsole.WriteLine(name.Length);\n```\n");
        var diagnostics = DocSnippets.Compile(DocSnippets.Program(blocks));
        Assert.That(diagnostics.Select(d => d.Id), Has.Member("CS8602"));
        Assert.That(diagnostics.All(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error), Is.True);
    }

    /// <summary>A correct snippet compiles: the engine's assemblies and the implicit usings are there.</summary>
    [Test]
    public void A_correct_snippet_compiles_with_the_engine_and_implicit_usings()
    {
        const string markdown = "```c#\nusing GpuCascade.Scenarios;\nusing GpuCascade.Simulation;\n\nvar s = ScenarioLoader.LoadDefault();\n" +
                                "RunResult r = SimulationEngine.Run(s, new RunOptions { Paths = 16 });\n" +
                                "Console.WriteLine(new List<double> { r.BadDebt.Mean }.Max());\n```\n";
        var blocks = DocSnippets.Extract("ok.md", markdown);
        var diagnostics = DocSnippets.Compile(DocSnippets.Program(blocks));
        // RunResult lives in GpuCascade.Reporting: the one error shows that the engine is referenced and usings are not invented.
        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "CS0246" }), DocSnippets.Format(diagnostics, null));
        var fixedBlocks = DocSnippets.Extract("ok.md", markdown.Replace("using GpuCascade.Simulation;", "using GpuCascade.Simulation;\nusing GpuCascade.Reporting;"));
        diagnostics = DocSnippets.Compile(DocSnippets.Program(fixedBlocks));
        Assert.That(diagnostics, Is.Empty, DocSnippets.Format(diagnostics, null));
    }

    /// <summary>
    /// The convention: "compile: with previous" appends a block to the file's previous C# block (transitively), hoisting
    /// its using directives; other fences are ignored; unknown or misplaced directives are errors, so that nothing is
    /// silently left out.
    /// </summary>
    [Test]
    public void Continuations_and_directives()
    {
        const string markdown =
            "```csharp\nusing GpuCascade.Scenarios;\nvar s = ScenarioLoader.LoadDefault();\n```\n" +
            "```yaml\nsteps: 1\n```\n" +
            "<!-- compile: with previous -->\n\n" +
            "~~~cs\nusing GpuCascade.Simulation;\nvar r = SimulationEngine.Run(s, new RunOptions { Paths = 8 });\n~~~\n" +
            "<!-- compile: with previous -->\n" +
            "```csharp title=\"x\"\nConsole.WriteLine(r.Paths + s.Steps);\n```\n" +
            "````c#\nint unrelated = 1;\n````\n";
        var blocks = DocSnippets.Extract("c.md", markdown);
        Assert.That(blocks.Select(b => (b.Line, b.Directive)), Is.EqualTo(new (int, string?)[]
            { (2, null), (11, "with previous"), (16, "with previous"), (19, null) }));
        Assert.That(blocks[2].Chain(), Is.EqualTo(new[] { blocks[0], blocks[1], blocks[2] }));
        Assert.That(blocks[3].Chain(), Is.EqualTo(new[] { blocks[3] }));
        var diagnostics = DocSnippets.Compile(DocSnippets.Program(blocks[2].Chain()));
        Assert.That(diagnostics, Is.Empty, DocSnippets.Format(diagnostics, null));
        // Alone, the continuation does not compile: the name s is the previous block's.
        diagnostics = DocSnippets.Compile(DocSnippets.Program([blocks[1] with { Previous = null }]));
        Assert.That(diagnostics.Select(d => (d.Id, d.Location.GetMappedLineSpan().StartLinePosition.Line + 1)),
            Has.Member(("CS0103", 12)));

        Assert.That(() => DocSnippets.Extract("d.md", "<!-- compile: skip -->\n```csharp\nint x = 1;\n```\n"),
            Throws.TypeOf<FormatException>().With.Message.Contains("unknown compile directive 'skip'"));
        Assert.That(() => DocSnippets.Extract("d.md", "<!-- compile: with previous -->\n```csharp\nint x = 1;\n```\n"),
            Throws.TypeOf<FormatException>().With.Message.Contains("first C# block"));
        Assert.That(() => DocSnippets.Extract("d.md", "<!-- compile: with previous -->\nText.\n```csharp\nint x = 1;\n```\n"),
            Throws.TypeOf<FormatException>().With.Message.Contains("stands before no C# block"));
        Assert.That(() => DocSnippets.Extract("d.md", "```cs\nint x = 1;\n```\n<!-- compile: with previous -->\n```sh\nls\n```\n"),
            Throws.TypeOf<FormatException>().With.Message.Contains("'sh' block"));
    }

    /// <summary>The repository root: the first folder above the test's output with GpuCascade.sln.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GpuCascade.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }
}
