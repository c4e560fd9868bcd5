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
        var document = ScenarioDocument.Load(path);
        return document.ToScenario();
    }

    /// <summary>The folder of a scenario file, where the files it names (a history's prices) are found.</summary>
    internal static string DirectoryOf(string path) => Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory();

    /// <summary>Whether a scenario file is read as JSON (by its extension).</summary>
    internal static bool IsJson(string path) => Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>The text of a scenario file; a missing, unreadable, irregular or oversized file (over
    /// <see cref="Operations.InputFile.MaxScenarioBytes"/>) is a <see cref="ScenarioException"/>.</summary>
    internal static string ReadFile(string path)
    {
        try
        {
            return Operations.InputFile.ReadText(path, "scenario file", Operations.InputFile.MaxScenarioBytes);
        }
        catch (Operations.InputFileException e)
        {
            throw new ScenarioException(new ScenarioError("", e.Message));
        }
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

    /// <summary>Parses and validates a JSON scenario whose files (a history's prices) lie in <paramref name="baseDirectory"/>
    /// (null: the current directory).</summary>
    internal static Scenario LoadJson(string text, string? baseDirectory) =>
        ScenarioDocument.FromJson(text).WithBaseDirectory(baseDirectory).ToScenario();

    /// <summary>
    /// Binding reports the file's structural errors (types, keys, references) and, where the rest of the file bound,
    /// the validator's value errors with them: every problem in one pass, located in the file where it can be.
    /// </summary>
    private static Scenario Bind(ScenarioNode root)
    {
        var errors = new ScenarioBinder().BindAndValidate(root, out var scenario);
        if (errors.Count > 0) throw new ScenarioException([.. errors]);
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
