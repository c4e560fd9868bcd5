using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace GpuCascade.Kernels.Generators;

/// <summary>
/// Wires the path model's mechanisms at build time, so that a mechanism is one file under Mechanisms/ that declares what
/// it adds and nothing else names it (docs/architecture.md, "Adding a mechanism"):
/// <list type="bullet">
/// <item>a phase of <c>CascadePath</c> is a partial method without a body (<c>private partial void OnEndOfStep(int step);</c>);
/// this writes its body: a call of every method marked <c>[PhaseHook(nameof(OnEndOfStep), Order = n)]</c>, by Order and then
/// name, with the phase's arguments. A phase that returns a value threads its first argument through its hooks
/// (<c>count = Admit(count);</c>) and returns it;</item>
/// <item>a class marked <c>[StateBlock(order)]</c> declares how many per-asset real fields it needs (<c>Fields</c>), and
/// optionally per-cohort real and integer fields (<c>CohortRealFields</c>, <c>CohortIntFields</c>); this gives it
/// <c>First</c> (and <c>CohortRealFirst</c>, <c>CohortIntFirst</c>), the blocks following one another in order, and gives
/// <c>PathState</c> the totals <c>AssetFields</c>, <c>CohortRealFields</c>, <c>CohortIntFields</c>;</item>
/// <item>a class marked <c>[OutputBlock(order)]</c> declares its per-path output slots (<c>Fields</c>) and gets <c>First</c>,
/// after <c>PathOutput.CoreFields</c>; <c>PathOutput.RealFields</c> is the total;</item>
/// <item>a struct marked <c>[PlanParams("Name")]</c> becomes the plan's field <c>PlanLayout.Name</c>.</item>
/// </list>
/// The generated code is plain members of structs and static classes: no reflection or virtual call reaches the kernels.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class MechanismWiringGenerator : IIncrementalGenerator
{
    private const string Namespace = "GpuCascade.Kernels";
    private const string PathType = "CascadePath";

    private static readonly DiagnosticDescriptor UnknownPhase = new("GCK001", "Unknown phase",
        "[PhaseHook] on '{0}' names '{1}', which is no phase of CascadePath (a partial method without a body)", "Wiring",
        DiagnosticSeverity.Error, true);

    private static readonly DiagnosticDescriptor DuplicateOrder = new("GCK002", "Duplicate block order",
        "[{0}] order {1} is used by both '{2}' and '{3}'; each block needs its own place", "Wiring", DiagnosticSeverity.Error, true);

    private static readonly DiagnosticDescriptor MissingFields = new("GCK003", "Block without Fields",
        "'{0}' is marked [{1}] but declares no 'public const int Fields'", "Wiring", DiagnosticSeverity.Error, true);

    private static readonly DiagnosticDescriptor BadChain = new("GCK004", "Phase result",
        "phase '{0}' returns {1}: its first parameter must have that type, and every hook must return it too ('{2}')", "Wiring",
        DiagnosticSeverity.Error, true);

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var hooks = context.SyntaxProvider.ForAttributeWithMetadataName(Namespace + ".PhaseHookAttribute",
            static (node, _) => node is MethodDeclarationSyntax,
            static (ctx, _) => Hook.From((IMethodSymbol)ctx.TargetSymbol, ctx.Attributes)).SelectMany(static (h, _) => h).Collect();

        var phases = context.SyntaxProvider.CreateSyntaxProvider(
            static (node, _) => node is MethodDeclarationSyntax m && m.Body is null && m.ExpressionBody is null
                && m.Modifiers.Any(SyntaxKind.PartialKeyword) && m.Parent is StructDeclarationSyntax s && s.Identifier.Text == PathType,
            static (ctx, _) => Phase.From((MethodDeclarationSyntax)ctx.Node, ctx.SemanticModel)).Where(static p => p is not null).Collect();

        var states = Blocks(context, "StateBlockAttribute");
        var outputs = Blocks(context, "OutputBlockAttribute");

        var plans = context.SyntaxProvider.ForAttributeWithMetadataName(Namespace + ".PlanParamsAttribute",
            static (node, _) => node is StructDeclarationSyntax,
            static (ctx, _) => new PlanField((string)ctx.Attributes[0].ConstructorArguments[0].Value!, ctx.TargetSymbol.Name,
                ctx.TargetSymbol.Locations.FirstOrDefault())).Collect();

        context.RegisterSourceOutput(phases.Combine(hooks), static (spc, pair) => EmitPhases(spc, pair.Left!, pair.Right));
        context.RegisterSourceOutput(states, static (spc, blocks) => EmitStateBlocks(spc, blocks));
        context.RegisterSourceOutput(outputs, static (spc, blocks) => EmitOutputBlocks(spc, blocks));
        context.RegisterSourceOutput(plans, static (spc, fields) => EmitPlanFields(spc, fields));
    }

    private static IncrementalValueProvider<ImmutableArray<Block>> Blocks(IncrementalGeneratorInitializationContext context, string attribute) =>
        context.SyntaxProvider.ForAttributeWithMetadataName(Namespace + "." + attribute,
            static (node, _) => node is ClassDeclarationSyntax,
            (ctx, _) => Block.From((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0], attribute.Replace("Attribute", ""))).Collect();

    // ------------------------------------------------------------------ phases and hooks

    private static void EmitPhases(SourceProductionContext spc, ImmutableArray<Phase?> phaseList, ImmutableArray<Hook> hooks)
    {
        var phases = phaseList.Where(p => p is not null).Select(p => p!).GroupBy(p => p.Name).Select(g => g.First()).ToList();
        var names = new HashSet<string>(phases.Select(p => p.Name));
        foreach (var h in hooks.Where(h => !names.Contains(h.Phase)))
            spc.ReportDiagnostic(Diagnostic.Create(UnknownPhase, h.Location, h.Method, h.Phase));
        if (phases.Count == 0) return;

        var sb = Header();
        sb.AppendLine($"public partial struct {phases[0].TypeHeader}");
        sb.AppendLine("{");
        foreach (var phase in phases.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var mine = hooks.Where(h => h.Phase == phase.Name).OrderBy(h => h.Order).ThenBy(h => h.Method, StringComparer.Ordinal).ToList();
            bool chained = phase.ReturnType != "void";
            if (chained && (phase.Parameters.Length == 0 || phase.FirstParameterType != phase.ReturnType || mine.Any(h => h.ReturnType != phase.ReturnType)))
            {
                spc.ReportDiagnostic(Diagnostic.Create(BadChain, phase.Location, phase.Name, phase.ReturnType,
                    string.Join(", ", mine.Where(h => h.ReturnType != phase.ReturnType).Select(h => h.Method))));
                continue;
            }
            sb.AppendLine($"    // Hooks of {phase.Name}: {(mine.Count == 0 ? "none" : string.Join(", ", mine.Select(h => $"{h.Method} ({h.Order})")))}.");
            sb.AppendLine($"    {phase.Signature}");
            sb.AppendLine("    {");
            string args = string.Join(", ", phase.Parameters);
            foreach (var h in mine)
            {
                string gate = h.Switch is null ? "" : $"if (_l.{h.Switch}.On != 0) ";
                sb.AppendLine(chained ? $"        {gate}{phase.Parameters[0]} = {h.Method}({args});" : $"        {gate}{h.Method}({args});");
            }
            if (chained) sb.AppendLine($"        return {phase.Parameters[0]};");
            sb.AppendLine("    }");
        }
        sb.AppendLine("}");
        spc.AddSource("CascadePath.Phases.g.cs", SourceText.From(sb.ToString(), Encoding.UTF8));
    }

    private sealed class Phase(string name, string signature, string typeHeader, string returnType, string[] parameters, string? firstParameterType,
        Location? location)
    {
        public string Name { get; } = name;
        public string Signature { get; } = signature;
        public string TypeHeader { get; } = typeHeader;
        public string ReturnType { get; } = returnType;
        public string[] Parameters { get; } = parameters;
        public string? FirstParameterType { get; } = firstParameterType;
        public Location? Location { get; } = location;

        public static Phase? From(MethodDeclarationSyntax m, SemanticModel model)
        {
            if (model.GetDeclaredSymbol(m) is not IMethodSymbol symbol) return null;
            var type = symbol.ContainingType;
            // The implementing declaration: the defining one's modifiers, signature and constraints, with a body.
            string modifiers = string.Join(" ", m.Modifiers.Select(t => t.Text));
            string signature = $"{modifiers} {m.ReturnType.ToString().Trim()} {m.Identifier.Text}{m.TypeParameterList?.ToString().Trim()}" +
                $"{m.ParameterList.ToString().Trim()}";
            foreach (var c in m.ConstraintClauses) signature += " " + c.ToString().Trim();
            string header = $"{type.Name}<{string.Join(", ", type.TypeParameters.Select(t => t.Name))}>";
            var ps = symbol.Parameters.Select(p => (p.RefKind == RefKind.Ref ? "ref " : p.RefKind == RefKind.Out ? "out " : "") + "@" + p.Name).ToArray();
            return new Phase(symbol.Name, signature, header, symbol.ReturnType.ToDisplayString(),
                ps, symbol.Parameters.Length > 0 ? symbol.Parameters[0].Type.ToDisplayString() : null, m.Identifier.GetLocation());
        }
    }

    private sealed class Hook(string method, string phase, int order, string returnType, Location? location, string? gate = null)
    {
        public string? Switch { get; } = gate;
        public string Method { get; } = method;
        public string Phase { get; } = phase;
        public int Order { get; } = order;
        public string ReturnType { get; } = returnType;
        public Location? Location { get; } = location;

        public static IEnumerable<Hook> From(IMethodSymbol m, ImmutableArray<AttributeData> attributes) =>
            attributes.Select(a => new Hook(m.Name, (string)a.ConstructorArguments[0].Value!, Named(a, "Order"), m.ReturnType.ToDisplayString(),
                m.Locations.FirstOrDefault(), NamedText(a, "Switch")));
    }

    // ------------------------------------------------------------------ slot blocks

    private sealed class Block(string name, string kind, int order, bool fields, bool cohortReal, bool cohortInt, Location? location)
    {
        public string Name { get; } = name;
        public string Kind { get; } = kind;
        public int Order { get; } = order;
        public bool HasFields { get; } = fields;
        public bool CohortReal { get; } = cohortReal;
        public bool CohortInt { get; } = cohortInt;
        public Location? Location { get; } = location;

        public static Block From(INamedTypeSymbol type, AttributeData a, string kind)
        {
            bool Has(string member) => type.GetMembers(member).OfType<IFieldSymbol>().Any(f => f.IsConst);
            return new Block(type.Name, kind, (int)a.ConstructorArguments[0].Value!, Has("Fields"), Has("CohortRealFields"), Has("CohortIntFields"),
                type.Locations.FirstOrDefault());
        }
    }

    private static List<Block>? Ordered(SourceProductionContext spc, ImmutableArray<Block> blocks)
    {
        var list = blocks.OrderBy(b => b.Order).ThenBy(b => b.Name, StringComparer.Ordinal).ToList();
        bool ok = true;
        for (int k = 1; k < list.Count; k++)
            if (list[k].Order == list[k - 1].Order)
            {
                spc.ReportDiagnostic(Diagnostic.Create(DuplicateOrder, list[k].Location, list[k].Kind, list[k].Order, list[k - 1].Name, list[k].Name));
                ok = false;
            }
        foreach (var b in list.Where(b => !b.HasFields))
        {
            spc.ReportDiagnostic(Diagnostic.Create(MissingFields, b.Location, b.Name, b.Kind));
            ok = false;
        }
        return ok ? list : null;
    }

    private static void EmitStateBlocks(SourceProductionContext spc, ImmutableArray<Block> blocks)
    {
        if (Ordered(spc, blocks) is not { } list) return;
        var sb = Header();
        string asset = "0", real = "PathState.CohortRealFirstOfMechanisms", integer = "PathState.CohortIntFirstOfMechanisms";
        var order = new List<string>();
        foreach (var b in list)
        {
            order.Add(b.Name);
            sb.AppendLine($"public static partial class {b.Name}");
            sb.AppendLine("{");
            sb.AppendLine("    /// <summary>The block's first per-asset field (the state blocks follow one another in the order of their [StateBlock]).</summary>");
            sb.AppendLine($"    public const int First = {asset};");
            asset = $"{b.Name}.First + {b.Name}.Fields";
            if (b.CohortReal)
            {
                sb.AppendLine("    /// <summary>The block's first per-cohort real field.</summary>");
                sb.AppendLine($"    public const int CohortRealFirst = {real};");
                real = $"{b.Name}.CohortRealFirst + {b.Name}.CohortRealFields";
            }
            if (b.CohortInt)
            {
                sb.AppendLine("    /// <summary>The block's first per-cohort integer field.</summary>");
                sb.AppendLine($"    public const int CohortIntFirst = {integer};");
                integer = $"{b.Name}.CohortIntFirst + {b.Name}.CohortIntFields";
            }
            sb.AppendLine("}");
            sb.AppendLine();
        }
        sb.AppendLine("public static partial class PathState");
        sb.AppendLine("{");
        sb.AppendLine($"    /// <summary>Per-asset real fields in all: the blocks {string.Join(", ", order)}.</summary>");
        sb.AppendLine($"    public const int AssetFields = {asset};");
        sb.AppendLine("    /// <summary>Per-cohort real fields in all: settlement's, then the blocks' that declare some.</summary>");
        sb.AppendLine($"    public const int CohortRealFields = {real};");
        sb.AppendLine("    /// <summary>Per-cohort integer fields in all: the round loop's, then the blocks' that declare some.</summary>");
        sb.AppendLine($"    public const int CohortIntFields = {integer};");
        sb.AppendLine("}");
        spc.AddSource("PathState.Blocks.g.cs", SourceText.From(sb.ToString(), Encoding.UTF8));
    }

    private static void EmitOutputBlocks(SourceProductionContext spc, ImmutableArray<Block> blocks)
    {
        if (Ordered(spc, blocks) is not { } list) return;
        var sb = Header();
        string next = "PathOutput.CoreFields";
        foreach (var b in list)
        {
            sb.AppendLine($"public static partial class {b.Name}");
            sb.AppendLine("{");
            sb.AppendLine("    /// <summary>The block's first per-path output slot (after the core ones, in the order of the [OutputBlock]s).</summary>");
            sb.AppendLine($"    public const int First = {next};");
            sb.AppendLine("}");
            sb.AppendLine();
            next = $"{b.Name}.First + {b.Name}.Fields";
        }
        sb.AppendLine("public static partial class PathOutput");
        sb.AppendLine("{");
        sb.AppendLine($"    /// <summary>Per-path real slots: the core ones, then the blocks {string.Join(", ", list.Select(b => b.Name))}; the per-asset fields follow.</summary>");
        sb.AppendLine($"    public const int RealFields = {next};");
        sb.AppendLine("}");
        spc.AddSource("PathOutput.Blocks.g.cs", SourceText.From(sb.ToString(), Encoding.UTF8));
    }

    // ------------------------------------------------------------------ plan parameters

    private sealed class PlanField(string field, string type, Location? location)
    {
        public string Field { get; } = field;
        public string Type { get; } = type;
        public Location? Location { get; } = location;
    }

    private static void EmitPlanFields(SourceProductionContext spc, ImmutableArray<PlanField> fields)
    {
        if (fields.Length == 0) return;
        var sb = Header();
        sb.AppendLine("public partial struct PlanLayout");
        sb.AppendLine("{");
        foreach (var f in fields.OrderBy(f => f.Field, StringComparer.Ordinal))
        {
            sb.AppendLine($"    /// <summary>The parameters of <see cref=\"{f.Type}\"/>.</summary>");
            sb.AppendLine($"    public {f.Type} {f.Field};");
        }
        sb.AppendLine("}");
        spc.AddSource("PlanLayout.Mechanisms.g.cs", SourceText.From(sb.ToString(), Encoding.UTF8));
    }

    // ------------------------------------------------------------------ helpers

    private static StringBuilder Header()
    {
        var sb = new StringBuilder();
        sb.AppendLine("// <auto-generated> by GpuCascade.Kernels.Generators (MechanismWiringGenerator): the mechanisms' wiring. </auto-generated>");
        sb.AppendLine("#nullable enable");
        sb.AppendLine($"namespace {Namespace};");
        sb.AppendLine();
        return sb;
    }

    private static string? NamedText(AttributeData a, string name)
    {
        foreach (var kv in a.NamedArguments)
            if (kv.Key == name && kv.Value.Value is string v) return v;
        return null;
    }

    private static int Named(AttributeData a, string name)
    {
        foreach (var kv in a.NamedArguments)
            if (kv.Key == name && kv.Value.Value is int v) return v;
        return 0;
    }
}
