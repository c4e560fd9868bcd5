using GpuCascade.Cli;

namespace GpuCascade.Tests.Cli;

/// <summary>A temporary directory per test and the command line run in-process.</summary>
public abstract class CliTestBase
{
    /// <summary>The test's own directory, deleted after it.</summary>
    protected string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("gpucascade-cli-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs <c>gpucascade</c> with <paramref name="args"/>: exit code, stdout, stderr.</summary>
    protected static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
