namespace GpuCascade.Scenarios;

/// <summary>
/// Reads scenarios from YAML or JSON. Both formats go through one binder and then
/// <see cref="ScenarioValidator"/>, so they accept the same keys with the same meaning and give the same errors.
/// </summary>
public static class ScenarioLoader
{
    private const string DefaultResource = "GpuCascade.Scenarios.default.yaml";
    private static readonly Lazy<string> DefaultText = new(ReadDefault);

    /// <summary>The embedded default scenario (scenarios/default.yaml), as YAML text.</summary>
    public static string DefaultScenarioText => DefaultText.Value;

    /// <summary>Loads the embedded default scenario.</summary>
    public static Scenario LoadDefault() => LoadYaml(DefaultScenarioText);

    /// <summary>Loads a file: <c>.json</c> as JSON, anything else as YAML.</summary>
    /// <exception cref="ScenarioException">The file is missing, unreadable, malformed or invalid.</exception>
    public static Scenario LoadFile(string path)
    {
        string text = ReadFile(path);
        return IsJson(path) ? LoadJson(text) : LoadYaml(text);
    }

    /// <summary>Whether a scenario file is read as JSON (by its extension).</summary>
    internal static bool IsJson(string path) => Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Largest scenario file read, in characters: a scenario is a few KB, a listed book of 100,000 cohorts about
    /// 10 MB; anything larger (or endless, such as /dev/zero) is refused instead of read into memory.</summary>
    public const int MaxFileChars = 32 << 20;

    /// <summary>The text of a scenario file; a missing, unreadable or oversized file is a <see cref="ScenarioException"/>.</summary>
    internal static string ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            if (Directory.Exists(path)) throw new ScenarioException(new ScenarioError("", $"cannot read scenario file {path}: it is a directory"));
            using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
            var buffer = new char[Math.Min(MaxFileChars + 1, 1 << 16)];
            var sb = new System.Text.StringBuilder();
            int read;
            while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                sb.Append(buffer, 0, read);
                if (sb.Length > MaxFileChars)
                    throw new ScenarioException(new ScenarioError("",
                        $"scenario file {path} is larger than {MaxFileChars >> 20} MiB; a scenario is a few KB (is this the right file?)"));
            }
            text = sb.ToString();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ScenarioException(new ScenarioError("", $"scenario file not found: {path}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ScenarioException(new ScenarioError("", $"cannot read scenario file {path}: {e.Message}"));
        }
        return text;
    }

    /// <summary>Parses and validates a YAML scenario.</summary>
    /// <exception cref="ScenarioException">The text is malformed (with line and column) or the scenario is invalid.</exception>
    public static Scenario LoadYaml(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ScenarioDocument.Remember(Bind(ScenarioSyntax.FromYaml(text)), new(() => ScenarioDocument.FromYaml(text)));
    }

    /// <summary>Parses and validates a JSON scenario (comments and trailing commas allowed).</summary>
    /// <exception cref="ScenarioException">The text is malformed (with line and column) or the scenario is invalid.</exception>
    public static Scenario LoadJson(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ScenarioDocument.Remember(Bind(ScenarioSyntax.FromJson(text)), new(() => ScenarioDocument.FromJson(text)));
    }

    /// <summary>
    /// Binding reports the file's structural errors (types, keys, references) all together; once the structure
    /// is sound the validator reports every value error, located in the file where it can be.
    /// </summary>
    private static Scenario Bind(ScenarioNode root)
    {
        var binder = new ScenarioBinder();
        var scenario = binder.Bind(root);
        var errors = scenario is null ? binder.Errors.Errors : ScenarioValidator.Validate(scenario);
        if (errors.Count > 0) throw new ScenarioException(errors.Select(binder.Locate).ToList());
        return scenario!;
    }

    private static string ReadDefault()
    {
        using var stream = typeof(ScenarioLoader).Assembly.GetManifestResourceStream(DefaultResource)
            ?? throw new InvalidOperationException($"embedded resource {DefaultResource} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
