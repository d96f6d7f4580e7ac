using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Torchlet.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Torchlet.Benchmarks.SmallOpBenchmarks).Assembly).Run(args);
