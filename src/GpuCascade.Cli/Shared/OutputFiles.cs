namespace GpuCascade.Cli.Shared;

/// <summary>
/// The files a command writes: checked before anything runs (so a night's run never ends in "cannot write"), and
/// written atomically (a temporary file in the same directory, flushed to disk, renamed over the target), so a crash or
/// a full disk never leaves a half-written result or destroys the previous one.
/// </summary>
internal static class OutputFiles
{
    /// <summary>Checks every output (option, path; null = not asked, "-" = stdout). Throws <see cref="UsageException"/>
    /// naming the option: an empty name, a directory, a missing or unwritable directory, the scenario file itself, two
    /// options on one file, or two on stdout. <paramref name="inputs"/> are files that must not be written over.</summary>
    public static void Check(IEnumerable<(string Option, string? Path)> outputs, params (string What, string? Path)[] inputs)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        string? stdout = null;
        foreach (var (option, path) in outputs)
        {
            if (path is null) continue;
            if (path.Length == 0 || string.IsNullOrWhiteSpace(path)) throw new UsageException($"{option}: needs a file name, got an empty one");
            if (path == "-")
            {
                if (stdout is not null) throw new UsageException($"{stdout} and {option} cannot both write to stdout");
                stdout = option;
                continue;
            }
            string full;
            try
            {
                full = Path.GetFullPath(path);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
            {
                throw new UsageException($"{option}: not a valid file name '{Operations.Echo.Path(path)}': {e.Message}");
            }
            if (seen.TryGetValue(full, out var other)) throw new UsageException($"{other} and {option} both write {Operations.Echo.Path(path)}; give each its own file");
            seen[full] = option;
            foreach (var (what, input) in inputs)
                if (input is not null && input != "-" && SameFile(full, input))
                    throw new UsageException($"{option}: {Operations.Echo.Path(path)} is the {what}; writing the result there would destroy it");
            if (Directory.Exists(full)) throw new UsageException($"{option}: {Operations.Echo.Path(path)} is a directory; give a file name");
            string directory = Path.GetDirectoryName(full) ?? ".";
            if (!Directory.Exists(directory)) throw new UsageException($"{option}: the directory {Operations.Echo.Path(directory)} does not exist");
            if (!CanWrite(directory, out string why)) throw new UsageException($"{option}: cannot write in {Operations.Echo.Path(directory)}: {why}");
            if (File.Exists(full) && new FileInfo(full).IsReadOnly) throw new UsageException($"{option}: {Operations.Echo.Path(path)} is read-only");
        }
    }

    private static bool SameFile(string full, string input)
    {
        try
        {
            return string.Equals(full, Path.GetFullPath(input), StringComparison.Ordinal)
                   || (File.Exists(input) && File.Exists(full) && ResolveLinks(full) == ResolveLinks(input));
        }
        catch (Exception e) when (e is ArgumentException or IOException or NotSupportedException)
        {
            return false;
        }
    }

    private static string ResolveLinks(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);

    /// <summary>Whether a file can be created in <paramref name="directory"/> (tried, then removed); why not when it cannot.</summary>
    internal static bool CanWrite(string directory, out string why)
    {
        string probe = Path.Combine(directory, $".gpucascade-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
            why = "";
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            why = e.Message;
            return false;
        }
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> atomically, or to <paramref name="stdout"/> for "-".</summary>
    public static void Write(string path, string text, TextWriter stdout)
    {
        if (path == "-")
        {
            stdout.Write(text);
            return;
        }
        Operations.AtomicFile.WriteAllText(path, text);
    }

    /// <summary>Writes every output that was asked for; one that fails does not stop the others. Returns the failures,
    /// one line each naming the option.</summary>
    public static List<string> WriteAll(TextWriter stdout, params (string Option, string? Path, Func<string> Text)[] outputs)
    {
        var failures = new List<string>();
        foreach (var (option, path, text) in outputs)
            if (path is not null) Attempt(failures, option, path, () => Write(path, text(), stdout));
        return failures;
    }

    /// <summary>Runs one output's <paramref name="write"/>; a file that cannot be written joins <paramref name="failures"/>
    /// as one line naming the option, and the other outputs go on.</summary>
    public static void Attempt(List<string> failures, string option, string path, Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failures.Add($"{option}: could not write {path}: {e.Message}");
        }
    }
}
