using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/GpuCascade.Bench -- --filter '*'   (bench/README.md)
BenchmarkSwitcher.FromAssembly(typeof(GpuCascade.Bench.WorkloadBenchmarks).Assembly).Run(args);
