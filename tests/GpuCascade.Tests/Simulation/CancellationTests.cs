using System.Diagnostics;
using GpuCascade.Backends.Managed;
using GpuCascade.Kernels;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

public class CancellationTests
{
    /// <summary>A path of millions of steps stops within a few thousand steps of Ctrl-C, and the result is the exact one
    /// of the completed prefix (here: nothing).</summary>
    [Test]
    public void ALongPathStopsSoonAfterCancellation()
    {
        var scenario = Single(Asset("BTC", 100, 0.5), [Isolated(0, 1e6, 2, 100)], horizon: "1000d", steps: 5_000_000, paths: 2);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        var result = SimulationEngine.Run(scenario, new RunOptions { Backend = new ManagedBackend(1) }, cts.Token);
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(5), "5,000,000 steps take far longer; the path checks every 4,096 steps");
        Assert.That(result.Run.Cancelled, Is.True);
        Assert.That(result.Paths, Is.EqualTo(0));
    }

    /// <summary>The model itself: with its cancel slot set, a path stops at its first check (step 4,095) and says so; without
    /// the switch (devices), the slot is never read.</summary>
    [Test]
    public void ThePathModelReadsItsCancelSlot()
    {
        var scenario = Single(Asset("BTC", 100, 0.5), [Isolated(0, 1e6, 2, 100)], horizon: "1000d", steps: 10_000, paths: 1);
        var plan = SimulationPlan.Build(scenario);
        foreach (bool cancellable in new[] { true, false })
        {
            var packed = new PackedPlan(plan, cancellable: cancellable);
            var reals = GC.AllocateArray<double>(packed.Layout.RealSlots, pinned: true);
            var ints = GC.AllocateArray<int>(packed.Layout.IntSlots, pinned: true);
            ints[packed.Layout.CancelSlot] = 1;
            var output = new OutputBlock(1, 1);
            var path = new CascadePath<HostArray<double>, HostArray<int>, HostArray<double>, HostArray<int>, DoublePrecision>(
                packed.Layout, PackedPlan.View(packed.Reals), PackedPlan.View(packed.Ints),
                new PathSlots<HostArray<double>, HostArray<int>>(PackedPlan.View(reals), PackedPlan.View(ints)));
            path.Run(0, output.Slots(0));
            bool stopped = (output.Ints[PathOutput.Flags] & PathOutput.CancelledFlag) != 0;
            Assert.That(stopped, Is.EqualTo(cancellable), cancellable ? "stops at its first check" : "never reads the slot");
        }
    }

    /// <summary>A request to stop that comes after the last path is done does not label a complete run cancelled.</summary>
    [Test]
    public void ACompleteRunIsNotLabelledCancelled()
    {
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress(p => { if (p.PathsDone == p.PathsTotal) cts.Cancel(); });
        var result = SimulationEngine.Run(ScenarioLoader.LoadDefault(), new RunOptions { Paths = 2048, Progress = progress }, cts.Token);
        Assert.That(cts.IsCancellationRequested, Is.True);
        Assert.That(result.Paths, Is.EqualTo(2048));
        Assert.That(result.Run.Cancelled, Is.False);
    }

    private sealed class SynchronousProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}
