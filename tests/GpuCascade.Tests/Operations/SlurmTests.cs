using System.Diagnostics;
using System.Text.Json.Nodes;
using GpuCascade.Backends.Managed;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Tests.Operations;

/// <summary>
/// The Slurm round trip on a real single-node Slurm (Debian's slurm-wlm and munge; docs/operations.md):
/// scripts/slurm/submit.sh submits the array of shards and the merge, and the merged result equals the one-shot run's
/// outside <c>run</c>. Skipped, with the reason, where Slurm is not installed or cannot be started (CI installs it).
/// </summary>
[NonParallelizable]
public class SlurmTests
{
    private readonly List<int> _started = [];
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("gpucascade-slurm-").FullName;

    [TearDown]
    public void Stop()
    {
        foreach (int pid in _started.Where(p => p > 1)) // never 0: kill(0) is the whole process group, the test runner too
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // already gone
            }
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a daemon may still be closing its files
        }
    }

    private static (int Code, string Output) Shell(string command, IDictionary<string, string>? environment = null, int timeoutSeconds = 60)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (environment is not null)
            foreach (var (k, v) in environment) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            return (-1, output + err.Result + " (timed out)");
        }
        return (p.ExitCode, output + err.Result);
    }

    private int Pid(string file) => File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out int pid) ? pid : 0;

    [Test]
    public void AShardedRunOnSlurmMergesToTheOneShotResult()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("Slurm runs on Linux");
        foreach (var tool in new[] { "sbatch", "sinfo", "slurmctld", "slurmd", "munged" })
            if (Shell($"command -v {tool}").Code != 0)
                Assert.Ignore($"{tool} is not installed (apt-get install slurm-wlm munge; .ci/run does it as root)");
        if (Shell("id -u").Output.Trim() != "0") Assert.Ignore("starting munged and the Slurm daemons needs root");

        // munge: the socket directory, then the daemon (unless one already runs).
        if (Shell("pgrep -x munged").Code != 0)
        {
            var (code, why) = Shell("mkdir -p /run/munge && chown munge:munge /run/munge && chmod 755 /run/munge && " +
                                    "su -s /bin/sh munge -c /usr/sbin/munged");
            if (code != 0) Assert.Ignore($"munged does not start here: {why}");
            int munged = int.TryParse(Shell("pgrep -n -x munged").Output.Trim(), out int m) ? m : 0;
            if (munged > 0) _started.Add(munged);
        }
        string host = Shell("hostname").Output.Trim();
        long memory = Math.Max(1024, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 20) - 1024);
        Directory.CreateDirectory(Path.Combine(_dir, "state"));
        Directory.CreateDirectory(Path.Combine(_dir, "spool"));
        string conf = Path.Combine(_dir, "slurm.conf");
        File.WriteAllText(conf, $"""
            ClusterName=gpucascade
            SlurmctldHost={host}
            SlurmUser=root
            SlurmctldPort={46817 + Environment.ProcessId % 500}
            SlurmdPort={47817 + Environment.ProcessId % 500}
            AuthType=auth/munge
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            ReturnToService=2
            JobAcctGatherType=jobacct_gather/none
            StateSaveLocation={_dir}/state
            SlurmdSpoolDir={_dir}/spool
            SlurmctldPidFile={_dir}/slurmctld.pid
            SlurmdPidFile={_dir}/slurmd.pid
            SlurmctldLogFile={_dir}/slurmctld.log
            SlurmdLogFile={_dir}/slurmd.log
            NodeName={host} CPUs={Environment.ProcessorCount} RealMemory={memory}
            PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP

            """);
        var env = new Dictionary<string, string> { ["SLURM_CONF"] = conf };
        var (ctld, ctldOut) = Shell($"slurmctld -f {conf}", env);
        var (slurmd, slurmdOut) = Shell($"slurmd -f {conf}", env);
        if (ctld != 0 || slurmd != 0) Assert.Ignore($"the Slurm daemons do not start here: {ctldOut} {slurmdOut}");
        var clock = Stopwatch.StartNew();
        while (!Shell("sinfo -h -o %T", env).Output.Contains("idle"))
        {
            if (clock.Elapsed.TotalSeconds > 30)
                Assert.Fail($"the node never became idle: {Shell("sinfo", env).Output} {File.ReadAllText(Path.Combine(_dir, "slurmctld.log"))}");
            Thread.Sleep(500);
        }
        _started.Add(Pid(Path.Combine(_dir, "slurmctld.pid")));
        _started.Add(Pid(Path.Combine(_dir, "slurmd.pid")));

        // The run: 40,000 paths (three segments) of a short default scenario, in three shards and a merge.
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h"), Paths = 40_000 };
        string scenarioFile = Path.Combine(_dir, "scenario.json");
        File.WriteAllText(scenarioFile, ScenarioJson.Indented(scenario));
        string output = Path.Combine(_dir, "out");
        env["GPUCASCADE"] = Path.Combine(AppContext.BaseDirectory, "GpuCascade.Cli");
        env["GPUCASCADE_OUT"] = output;
        env["GPUCASCADE_SCENARIO"] = scenarioFile;
        env["GPUCASCADE_BACKEND"] = "managed";
        string submit = Path.Combine(GpuCascade.Tests.Scenarios.ScenarioDocsTests.RepositoryRoot(), "scripts", "slurm", "submit.sh");
        var (submitted, ids) = Shell($"{submit} 3", env);
        Assert.That(submitted, Is.Zero, ids);
        string result = Path.Combine(output, "result.json");
        clock.Restart();
        while (!File.Exists(result) || Shell("squeue -h", env).Output.Trim().Length > 0)
        {
            if (clock.Elapsed.TotalSeconds > 240)
                Assert.Fail($"the jobs did not finish: {Shell("squeue", env).Output} " +
                            string.Join(" ", Directory.GetFiles(output, "*.out").Select(f => File.ReadAllText(f))));
            Thread.Sleep(1000);
        }
        Assert.That(Directory.GetFiles(output, "part-*.bin"), Has.Length.EqualTo(3));
        var merged = JsonNode.Parse(File.ReadAllText(result))!.AsObject();
        Assert.That(merged["run"]!["mergedFrom"]!.AsArray(), Has.Count.EqualTo(3));
        merged.Remove("run");
        var oneShot = SimulationEngine.Run(scenario, new RunOptions { Backend = new ManagedBackend(2) });
        Assert.That(merged.ToJsonString(), Is.EqualTo(JsonNode.Parse(TestScenarios.Reproducible(oneShot))!.ToJsonString()));
        Shell($"scontrol shutdown", env);
    }
}
