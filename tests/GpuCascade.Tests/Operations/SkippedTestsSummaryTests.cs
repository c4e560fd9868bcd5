using System.Diagnostics;
using GpuCascade.Tests.Docs;

namespace GpuCascade.Tests.Operations;

/// <summary><c>dotnet test</c> ends with every skipped test under its reason (tests/GpuCascade.Tests/SkippedTests.targets,
/// reading the run's TRX file): checked on a TRX file of known content.</summary>
public class SkippedTestsSummaryTests
{
    private const string Trx = """
        <?xml version="1.0" encoding="utf-8"?>
        <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
          <Results>
            <UnitTestResult testId="a" testName="PhiloxKnownAnswersAreBitExact" outcome="NotExecuted">
              <Output><ErrorInfo><Message>OneTimeSetUp: no usable device: cuda: libcuda.so.1 not found
        second line</Message></ErrorInfo></Output>
            </UnitTestResult>
            <UnitTestResult testId="b" testName="RewrittenPtxIsNotContractedByPtxas" outcome="NotExecuted">
              <Output><ErrorInfo><Message>NVIDIA's ptxas not found; .ci/run gets them</Message></ErrorInfo></Output>
            </UnitTestResult>
            <UnitTestResult testId="c" testName="AggregatesMatchTheManagedRun" outcome="NotExecuted">
              <Output><ErrorInfo><Message>OneTimeSetUp: no usable device: cuda: libcuda.so.1 not found</Message></ErrorInfo></Output>
            </UnitTestResult>
            <UnitTestResult testId="d" testName="Passes" outcome="Passed" />
          </Results>
          <TestDefinitions>
            <UnitTest id="a" name="PhiloxKnownAnswersAreBitExact"><TestMethod className="GpuCascade.Tests.Backends.ParityTests(&quot;cuda&quot;)" name="x" /></UnitTest>
            <UnitTest id="b" name="RewrittenPtxIsNotContractedByPtxas"><TestMethod className="GpuCascade.Tests.Backends.OfflineCompilationTests" name="x" /></UnitTest>
            <UnitTest id="c" name="AggregatesMatchTheManagedRun"><TestMethod className="GpuCascade.Tests.Backends.ParityTests(&quot;cuda&quot;)" name="x" /></UnitTest>
            <UnitTest id="d" name="Passes"><TestMethod className="GpuCascade.Tests.X" name="x" /></UnitTest>
          </TestDefinitions>
        </TestRun>
        """;

    [Test]
    public void EverySkippedTestIsListedUnderItsReason()
    {
        string dir = Directory.CreateTempSubdirectory("gpucascade-trx-").FullName;
        try
        {
            string trx = Path.Combine(dir, "run.trx");
            File.WriteAllText(trx, Trx);
            string targets = Path.Combine(DocsCodeTests.RepositoryRoot(), "tests", "GpuCascade.Tests", "SkippedTests.targets");
            var start = new ProcessStartInfo("dotnet", ["msbuild", targets, "-t:GpuCascadeSkippedTests", $"-p:GpuCascadeTestResults={trx}",
                "-nologo", "-v:m", "-tl:off"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir,
            };
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            Assert.That(process.WaitForExit(120_000), Is.True);
            Assert.That(process.ExitCode, Is.Zero, output);
            var lines = output.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Trim().Length > 0).ToList();
            int header = lines.FindIndex(l => l.Trim() == "Skipped 3 tests, and why:");
            Assert.That(header, Is.GreaterThanOrEqualTo(0), output);
            // The commonest reason first, its tests beneath it; only the first line of a reason.
            Assert.That(lines.Skip(header + 1).Select(l => l.Trim()).Take(5), Is.EqualTo(new[]
            {
                "OneTimeSetUp: no usable device: cuda: libcuda.so.1 not found",
                "ParityTests(\"cuda\").AggregatesMatchTheManagedRun",
                "ParityTests(\"cuda\").PhiloxKnownAnswersAreBitExact",
                "NVIDIA's ptxas not found; .ci/run gets them",
                "OfflineCompilationTests.RewrittenPtxIsNotContractedByPtxas",
            }), output);
            Assert.That(output, Does.Not.Contain("Passes"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
