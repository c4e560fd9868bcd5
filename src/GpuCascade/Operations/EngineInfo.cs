using System.Reflection;

namespace GpuCascade.Operations;

/// <summary>The engine's version and the git commit it was built from (the version is set once, in
/// Directory.Build.props; the commit is stamped by the SDK's source link into the informational version).</summary>
internal static class EngineInfo
{
    private static readonly string Informational =
        typeof(EngineInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The version, e.g. 0.9.0.</summary>
    public static string Version => Informational.Split('+')[0];

    /// <summary>The full git commit hash, or "unknown" for a build outside a git checkout.</summary>
    public static string Commit => Informational.Split('+') is [_, var commit, ..] && commit.Length > 0 ? commit : "unknown";

    /// <summary>The build: the module ids of the library and of the model's assembly. Deterministic builds give the same
    /// ids for the same source, and any change to the code changes them: what checkpoints and partial files are tied to.</summary>
    public static string BuildId =>
        $"{typeof(EngineInfo).Assembly.ManifestModule.ModuleVersionId:N}/{typeof(Kernels.PlanLayout).Assembly.ManifestModule.ModuleVersionId:N}";

    /// <summary>"GpuCascade 0.9.0 (commit 1a2b3c4d5e6f)".</summary>
    public static string Describe() => $"GpuCascade {Version} (commit {(Commit.Length > 12 ? Commit[..12] : Commit)})";
}
