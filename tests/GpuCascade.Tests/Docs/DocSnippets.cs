using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GpuCascade.Tests.Docs;

/// <summary>A fenced C# block of a markdown file.</summary>
/// <param name="File">The markdown file, relative to the repository root, with forward slashes.</param>
/// <param name="Line">The 1-based line of the block's first code line (the line after the opening fence).</param>
/// <param name="Code">The block's text, the fence's indentation removed, lines joined by '\n'.</param>
/// <param name="Directive">The text of a <c>&lt;!-- compile: ... --&gt;</c> comment on the last non-blank line before the
/// fence, or null.</param>
/// <param name="Previous">With <c>compile: with previous</c>: the file's preceding C# block (itself perhaps a
/// continuation); otherwise null.</param>
public sealed record DocBlock(string File, int Line, string Code, string? Directive, DocBlock? Previous)
{
    /// <summary>The directive that appends a block to the file's previous C# block.</summary>
    public const string WithPrevious = "with previous";

    /// <summary>"file:line", as test names and messages show it.</summary>
    public override string ToString() => $"{File}:{Line}";

    /// <summary>The blocks compiled together for this one, first to last.</summary>
    public IReadOnlyList<DocBlock> Chain()
    {
        var chain = new List<DocBlock>();
        for (var b = this; b is not null; b = b.Previous) chain.Insert(0, b);
        return chain;
    }
}

/// <summary>
/// The fenced C# blocks of the documentation (README.md and docs/**/*.md), and their compilation as a program with the
/// engine's assemblies referenced: the convention is in docs/interpreting.md, "For documentation writers: code in the docs".
/// </summary>
public static partial class DocSnippets
{
    /// <summary>Info strings (first word, case-insensitive) that mark a block as C#.</summary>
    private static readonly HashSet<string> CSharpTags = new(StringComparer.OrdinalIgnoreCase) { "csharp", "cs", "c#" };

    /// <summary>The markdown files whose C# blocks must compile: README.md and every .md under docs/, relative paths.</summary>
    public static IReadOnlyList<string> DocumentationFiles(string root)
    {
        var files = new List<string>();
        if (File.Exists(Path.Combine(root, "README.md"))) files.Add("README.md");
        string docs = Path.Combine(root, "docs");
        if (Directory.Exists(docs))
            files.AddRange(Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
                .Order(StringComparer.Ordinal));
        return files;
    }

    /// <summary>
    /// The C# blocks of <paramref name="markdown"/> (named <paramref name="file"/>), in order. Fences are CommonMark's: three
    /// or more backticks or tildes, closed by at least as many of the same character; an unclosed fence runs to the end.
    /// Throws <see cref="FormatException"/> for a <c>compile:</c> directive that is unknown, that stands before no C# block,
    /// or that asks for a previous block where the file has none.
    /// </summary>
    public static IReadOnlyList<DocBlock> Extract(string file, string markdown)
    {
        string[] lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<DocBlock>();
        string? pendingDirective = null;
        int directiveLine = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            var open = OpeningFence().Match(lines[i]);
            if (!open.Success || (open.Groups["fence"].Value[0] == '`' && open.Groups["info"].Value.Contains('`')))
            {
                var directive = Directive().Match(lines[i]);
                if (directive.Success)
                {
                    if (pendingDirective is not null)
                        throw new FormatException($"{file}:{directiveLine}: compile directive '{pendingDirective}' stands before no C# block");
                    pendingDirective = directive.Groups[1].Value.Trim();
                    directiveLine = i + 1;
                }
                else if (pendingDirective is not null && lines[i].Trim().Length > 0)
                    throw new FormatException($"{file}:{directiveLine}: compile directive '{pendingDirective}' stands before no C# block");
                continue;
            }
            int indent = open.Groups["indent"].Value.Length;
            string fence = open.Groups["fence"].Value;
            string language = open.Groups["info"].Value.Trim().Split(' ', '\t', '{')[0];
            var code = new List<string>();
            int j = i + 1;
            for (; j < lines.Length; j++)
            {
                string trimmed = lines[j].TrimStart(' ');
                if (lines[j].Length - trimmed.Length < 4 && trimmed.StartsWith(fence, StringComparison.Ordinal) &&
                    trimmed.TrimEnd().All(c => c == fence[0]))
                    break;
                code.Add(StripIndent(lines[j], indent));
            }
            if (CSharpTags.Contains(language))
            {
                DocBlock? previous = null;
                if (pendingDirective is not null)
                {
                    if (pendingDirective != DocBlock.WithPrevious)
                        throw new FormatException($"{file}:{directiveLine}: unknown compile directive '{pendingDirective}' " +
                                                  $"(the one known: '<!-- compile: {DocBlock.WithPrevious} -->')");
                    previous = blocks.Count > 0 ? blocks[^1] : throw new FormatException(
                        $"{file}:{directiveLine}: '{DocBlock.WithPrevious}' before the file's first C# block");
                }
                blocks.Add(new DocBlock(file, i + 2, string.Join('\n', code), pendingDirective, previous));
            }
            else if (pendingDirective is not null)
                throw new FormatException($"{file}:{directiveLine}: compile directive '{pendingDirective}' stands before a " +
                                          $"'{language}' block, not a C# one");
            pendingDirective = null;
            i = j; // the closing fence (or the end)
        }
        if (pendingDirective is not null)
            throw new FormatException($"{file}:{directiveLine}: compile directive '{pendingDirective}' stands before no C# block");
        return blocks;
    }

    private static string StripIndent(string line, int indent)
    {
        int n = 0;
        while (n < indent && n < line.Length && line[n] == ' ') n++;
        return line[n..];
    }

    [GeneratedRegex(@"^(?<indent> {0,3})(?<fence>`{3,}|~{3,})(?<info>.*)$")]
    private static partial Regex OpeningFence();

    [GeneratedRegex(@"^\s*<!--\s*compile:(.*?)-->\s*$")]
    private static partial Regex Directive();

    /// <summary>A using directive (not a using statement or declaration): these are moved to the top of the program.</summary>
    [GeneratedRegex(@"^\s*(global\s+)?using\s+(static\s+)?(\w+\s*=\s*)?[\w.]+(<[\w.,\s<>]*>)?\s*;\s*(//.*)?$")]
    private static partial Regex UsingDirective();

    /// <summary>What a <c>dotnet new console</c> project gets with ImplicitUsings (Microsoft.NET.Sdk's list).</summary>
    public static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    /// <summary>
    /// The program compiled for <paramref name="chain"/>: each block's leading using directives first, then the blocks'
    /// code in order, every piece under a <c>#line</c> directive so that diagnostics name the markdown file and line.
    /// </summary>
    public static string Program(IReadOnlyList<DocBlock> chain)
    {
        var header = new StringBuilder();
        var body = new StringBuilder();
        foreach (var block in chain)
        {
            string[] lines = block.Code.Split('\n');
            bool leading = true, runOpen = false;
            for (int k = 0; k < lines.Length; k++)
            {
                string line = lines[k];
                string t = line.Trim();
                if (leading && UsingDirective().IsMatch(line))
                {
                    header.Append("#line ").Append(block.Line + k).Append(" \"").Append(block.File).Append("\"\n").Append(line).Append('\n');
                    runOpen = false;
                    continue;
                }
                if (leading && t.Length > 0 && !t.StartsWith("//", StringComparison.Ordinal)) leading = false;
                if (!runOpen)
                {
                    body.Append("#line ").Append(block.Line + k).Append(" \"").Append(block.File).Append("\"\n");
                    runOpen = true;
                }
                body.Append(line).Append('\n');
            }
        }
        return header.Append(body).ToString();
    }

    /// <summary>
    /// Compiles <paramref name="source"/> (a program from <see cref="Program"/>) as this repository compiles its projects:
    /// C# latest, nullable enabled, implicit usings, warnings as errors. A program with top-level statements is a console
    /// application; one with declarations only, a library. Returns the errors and warnings, emit included.
    /// </summary>
    public static ImmutableArray<Diagnostic> Compile(string source)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var tree = CSharpSyntaxTree.ParseText(source, parse, path: "Program.cs", encoding: Encoding.UTF8);
        var usings = CSharpSyntaxTree.ParseText(
            string.Concat(ImplicitUsings.Select(u => $"global using global::{u};\n")), parse, path: "GlobalUsings.g.cs", encoding: Encoding.UTF8);
        bool program = tree.GetRoot().DescendantNodes().OfType<GlobalStatementSyntax>().Any();
        var options = new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999)
            .WithGeneralDiagnosticOption(ReportDiagnostic.Error);
        var compilation = CSharpCompilation.Create("DocSnippet", [usings, tree], References.Value, options);
        using var pe = new MemoryStream();
        var emit = compilation.Emit(pe);
        return [.. emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError)
            .OrderBy(d => d.Location.GetMappedLineSpan().Path, StringComparer.Ordinal)
            .ThenBy(d => d.Location.GetMappedLineSpan().StartLinePosition.Line)];
    }

    /// <summary>
    /// "file(line,column): error CSxxxx: message" per diagnostic, the line of the markdown file as mapped by the
    /// <c>#line</c> directives, followed by that line's text when <paramref name="root"/> has the file.
    /// </summary>
    public static string Format(IEnumerable<Diagnostic> diagnostics, string? root)
    {
        var sb = new StringBuilder();
        var cache = new Dictionary<string, string[]?>();
        foreach (var d in diagnostics)
        {
            var span = d.Location.GetMappedLineSpan();
            if (!span.IsValid || !d.Location.IsInSource)
            {
                sb.Append(d.Id).Append(": ").AppendLine(d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
                continue;
            }
            int line = span.StartLinePosition.Line + 1;
            sb.Append(span.Path).Append('(').Append(line).Append(',').Append(span.StartLinePosition.Character + 1).Append("): ")
              .Append(d.Severity == DiagnosticSeverity.Error ? "error " : "warning ").Append(d.Id).Append(": ")
              .AppendLine(d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            if (root is null) continue;
            if (!cache.TryGetValue(span.Path, out var text))
            {
                string full = Path.Combine(root, span.Path);
                cache[span.Path] = text = File.Exists(full) ? File.ReadAllText(full).ReplaceLineEndings("\n").Split('\n') : null;
            }
            if (text is not null && line >= 1 && line <= text.Length) sb.Append("    | ").AppendLine(text[line - 1]);
        }
        return sb.ToString();
    }

    /// <summary>The engine's assemblies present (GpuCascade, GpuCascade.Kernels, GpuCascade.Report), the packages they
    /// reference (transitively, from this test's output folder, as a project referencing the engine would get them), and
    /// the runtime's framework assemblies (from TRUSTED_PLATFORM_ASSEMBLIES, the framework folder only: not the test's
    /// own packages).</summary>
    public static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    /// <summary>The engine assemblies referenced, by simple name, when their files are present.</summary>
    public static readonly string[] EngineAssemblies = ["GpuCascade", "GpuCascade.Kernels", "GpuCascade.Report"];

    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => string.Equals(Path.GetDirectoryName(p), framework, StringComparison.Ordinal))
            .ToList();
        var frameworkNames = new HashSet<string>(trusted.Select(Path.GetFileNameWithoutExtension)!, StringComparer.OrdinalIgnoreCase);
        string here = AppContext.BaseDirectory;
        var engine = new List<string>();
        var pending = new Queue<string>(EngineAssemblies);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (pending.Count > 0)
        {
            string name = pending.Dequeue();
            if (!seen.Add(name) || frameworkNames.Contains(name)) continue;
            string path = Path.Combine(here, name + ".dll");
            if (!File.Exists(path)) continue;
            engine.Add(path);
            foreach (string reference in ReferencedNames(path)) pending.Enqueue(reference);
        }
        return [.. trusted.Concat(engine).Select(p => MetadataReference.CreateFromFile(p))];
    }

    private static IEnumerable<string> ReferencedNames(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata) return [];
        var md = pe.GetMetadataReader();
        return [.. md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name))];
    }
}
