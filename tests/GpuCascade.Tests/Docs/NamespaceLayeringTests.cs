using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GpuCascade.Tests.Docs;

/// <summary>
/// The library's namespaces are layers: no namespace of src/GpuCascade depends, directly or through others, on itself
/// (the layering is in docs/architecture.md, "Namespaces and layers"). Every .cs file of the library is parsed and bound
/// with Roslyn against the library's own references; every name in the code is resolved, and a use of a type (or of a
/// member of a type) of another <c>GpuCascade.*</c> namespace is an edge from the file's namespace to that one. A child
/// namespace (<c>GpuCascade.Backends.Ilgpu</c>) is a node of its own. The test fails listing every cycle, with an example
/// file and type for each of its edges.
/// </summary>
public class NamespaceLayeringTests
{
    [Test]
    public void The_library_namespaces_have_no_cycles()
    {
        var graph = NamespaceGraph.OfLibrary(DocsCodeTests.RepositoryRoot());
        var cycles = graph.Cycles();
        if (cycles.Count > 0) Assert.Fail(graph.Describe(cycles));
    }

    /// <summary>The test is not vacuous: the library is bound without errors and its known dependencies are seen.</summary>
    [Test]
    public void The_graph_sees_the_library()
    {
        var graph = NamespaceGraph.OfLibrary(DocsCodeTests.RepositoryRoot());
        Assert.That(graph.Files, Is.GreaterThan(50), "the library's source files");
        Assert.That(graph.Edges.Keys, Has.Member(("GpuCascade.Simulation", "GpuCascade.Scenarios")),
            "the engine runs scenarios");
        Assert.That(graph.Edges.Keys, Has.Member(("GpuCascade.Calibration", "GpuCascade.Simulation")),
            "calibration calls the engine");
    }

    /// <summary>The test can fail: a cycle through three namespaces is found once, with an example of each edge.</summary>
    [Test]
    public void A_cycle_is_found_and_described()
    {
        var files = new Dictionary<string, string>
        {
            ["A/One.cs"] = "namespace GpuCascade.A; public class One { public GpuCascade.B.Two? Next; }",
            ["B/Two.cs"] = "namespace GpuCascade.B; using GpuCascade.C; public class Two { public Three? Next; }",
            ["C/Three.cs"] = "namespace GpuCascade.C; public class Three { public int N = GpuCascade.A.Four.Value; }",
            ["A/Four.cs"] = "namespace GpuCascade.A; public static class Four { public const int Value = 4; }",
            ["D/Five.cs"] = "namespace GpuCascade.D; public class Five { public GpuCascade.A.One? First; }",
        };
        var graph = NamespaceGraph.Of(files, NamespaceGraph.FrameworkReferences(), "Example");
        var cycles = graph.Cycles();
        Assert.That(cycles, Is.EqualTo(new[] { new[] { "GpuCascade.A", "GpuCascade.B", "GpuCascade.C" } }));
        string text = graph.Describe(cycles);
        Assert.That(text, Does.Contain("GpuCascade.A -> GpuCascade.B -> GpuCascade.C -> GpuCascade.A"));
        Assert.That(text, Does.Contain("GpuCascade.C -> GpuCascade.A: C/Three.cs uses GpuCascade.A.Four"));
        Assert.That(text, Does.Contain("GpuCascade.B -> GpuCascade.C: B/Two.cs uses GpuCascade.C.Three"));
    }
}

/// <summary>The dependencies between the <c>GpuCascade.*</c> namespaces of a set of C# files.</summary>
internal sealed class NamespaceGraph
{
    /// <summary>Edge (from, to) and one example of it: the file and the type used.</summary>
    public Dictionary<(string From, string To), (string File, string Type)> Edges { get; } = [];

    /// <summary>How many files were read.</summary>
    public int Files { get; private init; }

    /// <summary>What a library project gets with ImplicitUsings (Microsoft.NET.Sdk's list), as in the library's build.</summary>
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    /// <summary>
    /// The graph of src/GpuCascade under <paramref name="root"/>, its files bound against the library's own references:
    /// the assemblies the built library references (transitively; the kernels among them) and the framework's.
    /// </summary>
    public static NamespaceGraph OfLibrary(string root)
    {
        string library = Path.Combine(root, "src", "GpuCascade");
        var files = Directory.EnumerateFiles(library, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => f, f => File.ReadAllText(Path.Combine(root, f)), StringComparer.Ordinal);
        var references = FrameworkReferences().Concat(LibraryReferences()).ToList();
        // The compilation takes the library's name, so that the kernels' InternalsVisibleTo applies as in the real build.
        return Of(files, references, typeof(GpuCascade.Scenarios.Scenario).Assembly.GetName().Name!);
    }

    /// <summary>The runtime's framework assemblies (TRUSTED_PLATFORM_ASSEMBLIES, the framework folder only).</summary>
    public static IReadOnlyList<MetadataReference> FrameworkReferences()
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return [.. ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => string.Equals(Path.GetDirectoryName(p), framework, StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p))];
    }

    /// <summary>The assemblies the built library references, transitively, outside the framework folder.</summary>
    private static IEnumerable<MetadataReference> LibraryReferences()
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var library = typeof(GpuCascade.Scenarios.Scenario).Assembly;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { library.GetName().Name! };
        var pending = new Queue<AssemblyName>(library.GetReferencedAssemblies());
        var paths = new List<string>();
        while (pending.Count > 0)
        {
            var name = pending.Dequeue();
            if (!seen.Add(name.Name!)) continue;
            Assembly assembly;
            try { assembly = Assembly.Load(name); }
            catch (FileNotFoundException) { continue; } // an optional dependency that nothing here loads
            if (string.IsNullOrEmpty(assembly.Location) ||
                string.Equals(Path.GetDirectoryName(assembly.Location), framework, StringComparison.Ordinal)) continue;
            paths.Add(assembly.Location);
            foreach (var reference in assembly.GetReferencedAssemblies()) pending.Enqueue(reference);
        }
        return paths.Select(p => MetadataReference.CreateFromFile(p));
    }

    /// <summary>
    /// The graph of <paramref name="files"/> (path to text), compiled as one assembly named
    /// <paramref name="assemblyName"/>. Fails on a compilation error other than a source generator's missing part
    /// (<c>[GeneratedRegex]</c> methods, CS8795), since a name that does not bind would hide its edge.
    /// </summary>
    public static NamespaceGraph Of(IReadOnlyDictionary<string, string> files, IEnumerable<MetadataReference> references, string assemblyName)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(f.Value, parse, path: f.Key, encoding: Encoding.UTF8)).ToList();
        var usings = CSharpSyntaxTree.ParseText(
            string.Concat(ImplicitUsings.Select(u => $"global using global::{u};\n")), parse, path: "GlobalUsings.g.cs");
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
            allowUnsafe: true);
        var compilation = CSharpCompilation.Create(assemblyName, [usings, .. trees], references, options);
        var errors = compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795").Take(20).ToList();
        if (errors.Count > 0)
            throw new InvalidOperationException("the files do not compile, so names would not bind:\n" + string.Join("\n", errors));

        var graph = new NamespaceGraph { Files = trees.Count };
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                string? from = name.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault()?.Name.ToString();
                if (from is null) continue;
                var info = model.GetSymbolInfo(name);
                var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                var type = symbol switch
                {
                    INamedTypeSymbol named => named,
                    IMethodSymbol { MethodKind: MethodKind.Constructor } ctor => ctor.ContainingType,
                    INamespaceSymbol or null or ITypeParameterSymbol or ILocalSymbol or IParameterSymbol or IRangeVariableSymbol
                        or ILabelSymbol or IAliasSymbol or IDiscardSymbol => null,
                    _ => symbol.ContainingType,
                };
                if (type is null) continue;
                string to = type.ContainingNamespace.ToDisplayString();
                if (to == from || !to.StartsWith("GpuCascade.", StringComparison.Ordinal)) continue;
                graph.Edges.TryAdd((from, to), (tree.FilePath, type.OriginalDefinition.ToDisplayString()));
            }
        }
        return graph;
    }

    /// <summary>
    /// Every elementary cycle, each as its namespaces in order from its least one (ordinal), the list sorted; at most
    /// <paramref name="limit"/> of them.
    /// </summary>
    public List<string[]> Cycles(int limit = 500)
    {
        var nodes = Edges.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var next = nodes.ToDictionary(n => n, n => Edges.Keys.Where(e => e.From == n).Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        var cycles = new List<string[]>();
        // From each start, the simple paths through nodes greater than it that come back to it: each cycle once.
        foreach (string start in nodes)
        {
            var path = new List<string> { start };
            var onPath = new HashSet<string> { start };
            void Walk(string node)
            {
                foreach (string to in next[node])
                {
                    if (cycles.Count >= limit) return;
                    if (to == start) cycles.Add([.. path]);
                    else if (string.CompareOrdinal(to, start) > 0 && onPath.Add(to))
                    {
                        path.Add(to);
                        Walk(to);
                        path.RemoveAt(path.Count - 1);
                        onPath.Remove(to);
                    }
                }
            }
            Walk(start);
        }
        return [.. cycles.OrderBy(c => c.Length).ThenBy(c => string.Join(" ", c), StringComparer.Ordinal)];
    }

    /// <summary>The cycles, one paragraph each: the ring of namespaces, then each edge with its example file and type.</summary>
    public string Describe(IReadOnlyList<string[]> cycles)
    {
        var sb = new StringBuilder();
        sb.Append(cycles.Count).Append(" cycle(s) among the library's namespaces (docs/architecture.md, \"Namespaces and layers\"):\n");
        foreach (var cycle in cycles)
        {
            sb.Append('\n').Append(string.Join(" -> ", cycle.Append(cycle[0]))).Append('\n');
            for (int i = 0; i < cycle.Length; i++)
            {
                string from = cycle[i], to = cycle[(i + 1) % cycle.Length];
                var (file, type) = Edges[(from, to)];
                sb.Append("  ").Append(from).Append(" -> ").Append(to).Append(": ").Append(file).Append(" uses ").Append(type).Append('\n');
            }
        }
        return sb.ToString();
    }
}
