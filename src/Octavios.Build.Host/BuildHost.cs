using System.Reflection;
using Cake.Cli;
using Cake.Common.Build;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Packaging;
using Cake.Core.Tooling;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Octavios.Build.Host;

/// <summary>What the host knows of this run, handed to the context factory; <paramref name="Interrupted"/> fires on SIGINT or SIGTERM.</summary>
/// <paramref name="WriteCommandLine"/> writes a line for the CI runner (an annotation) past the guard that disarms every other.
public sealed record HostRun(bool DryRun, IReadOnlyList<string> Targets, bool Exclusive, IReadOnlyList<TaskEntry> Plan, CancellationToken Interrupted = default,
    Action<string>? WriteCommandLine = null);

/// <summary>
/// Frosting's programming model on Cake's own engine: task classes are registered with <see cref="CakeEngine"/>
/// and run with its default execution strategy and report.
/// </summary>
public sealed class BuildHost<TContext> where TContext : class, ICakeContext
{
    private readonly Func<ICakeContext, HostRun, TContext> _createContext;
    private readonly List<Assembly> _assemblies = [];
    private readonly List<ArgumentDefinition> _arguments = [];
    private readonly ServiceCollection _services = new();
    private string _program = "build.sh";
    private Func<IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, IReadOnlyList<string>>> _completionValues = _ => new Dictionary<string, IReadOnlyList<string>>();
    private IAnsiConsole? _console;
    private OutputFilter _filter = new(text => text, line => line);
    private readonly CancellationTokenSource _interruption = new();

    public BuildHost(Func<ICakeContext, HostRun, TContext> createContext) => _createContext = createContext;

    public BuildHost<TContext> AddTasksFrom(Assembly assembly)
    {
        _assemblies.Add(assembly);
        return this;
    }

    public BuildHost<TContext> UseArguments(IEnumerable<ArgumentDefinition> arguments)
    {
        _arguments.AddRange(arguments);
        return this;
    }

    public BuildHost<TContext> ConfigureServices(Action<IServiceCollection> configure)
    {
        configure(_services);
        return this;
    }

    /// <summary>The values --completion writes into its script, by argument name, from the run's arguments (the configuration's services).</summary>
    public BuildHost<TContext> UseCompletionValues(Func<IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, IReadOnlyList<string>>> values)
    {
        _completionValues = values;
        return this;
    }

    public BuildHost<TContext> UseProgramName(string program)
    {
        _program = program;
        return this;
    }

    /// <summary>What all the host's console output passes through (masking, escaping): standard output and error alike.</summary>
    public BuildHost<TContext> UseOutputFilter(OutputFilter filter)
    {
        _filter = filter;
        return this;
    }

    public BuildHost<TContext> UseConsole(IAnsiConsole console)
    {
        _console = console;
        return this;
    }

    public int Run(IReadOnlyList<string> args) => RunAsync(args).GetAwaiter().GetResult();

    public async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var (originalOut, originalError) = (Console.Out, Console.Error);
        using var output = new GuardedWriter(originalOut, _filter);
        using var error = new GuardedWriter(originalError, _filter);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return await RunGuardedAsync(args, output);
        }
        finally
        {
            output.Flush();
            error.Flush();
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
    }

    private async Task<int> RunGuardedAsync(IReadOnlyList<string> args, GuardedWriter output)
    {
        var verbosity = Verbosity.Normal;
        // Created here, on the guarded output, unless a test gave its own.
        _console ??= OutputStyle.Colorful
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) })
            : AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(Console.Out) });
        try
        {
            var commandLine = CommandLine.Parse(args);
            verbosity = commandLine.Verbosity;
            var catalog = new TaskCatalog(_assemblies, typeof(TContext), _arguments);
            switch (commandLine.Mode)
            {
                case HostMode.Help:
                    // Written as plain text: Spectre would wrap it at the terminal width.
                    Console.Out.Write(HelpWriter.Write(_program, catalog, _arguments));
                    return ExitCodes.Success;
                case HostMode.Info:
                    var assembly = Assembly.GetEntryAssembly() ?? typeof(TContext).Assembly;
                    Console.Out.WriteLine($"{assembly.GetName().Name} {assembly.GetName().Version} on Cake.Core {typeof(CakeEngine).Assembly.GetName().Version}");
                    return ExitCodes.Success;
                case HostMode.Completion:
                    var given = Resolve(commandLine).Item4.ToDictionary(a => a.Key, a => a.Last(), StringComparer.OrdinalIgnoreCase);
                    Console.Out.Write(ShellCompletion.Write(commandLine.CompletionShell ?? "", _program, catalog.Tasks.Select(t => t.Name), _arguments, _completionValues(given)));
                    return ExitCodes.Success;
            }

            return await RunEngineAsync(commandLine, catalog, output);
        }
        catch (Exception error) when (Unwrap(error) is { } inner)
        {
            // Plain lines on standard error: never wrapped, so scripts can match them.
            // Filtered here too: on a terminal the guard lets colour sequences pass, never those of a message's data.
            Console.Error.WriteLine($"Error: {_filter.Text(inner.Message)}");
            if (inner is BuildInputException) return ExitCodes.BadInput;
            if (inner is PassedThroughExitException passed) return passed.ExitCode;
            if (_interruption.IsCancellationRequested) return ExitCodes.Interrupted;
            if (verbosity >= Verbosity.Diagnostic) Console.Error.WriteLine(_filter.Text(inner.ToString()));
            return ExitCodes.Failed;
        }
    }

    /// <summary>Cake's environment (working directory) and cake.config, and the build's arguments read through them.</summary>
    private (CakeEnvironment, FileSystem, ICakeConfiguration, ILookup<string, string>) Resolve(CommandLine commandLine)
    {
        var environment = new CakeEnvironment(new CakePlatform(), new CakeRuntime());
        if (commandLine.WorkingDirectory is { } working)
        {
            environment.WorkingDirectory = new DirectoryPath(System.IO.Path.GetFullPath(working));
        }

        var fileSystem = new FileSystem();
        var configuration = new CakeConfigurationProvider(fileSystem, environment)
            .CreateConfiguration(environment.WorkingDirectory, new Dictionary<string, string>());
        return (environment, fileSystem, configuration, ResolvedArguments.Resolve(commandLine.Arguments, _arguments, Environment.GetEnvironmentVariable, configuration));
    }

    private async Task<int> RunEngineAsync(CommandLine commandLine, TaskCatalog catalog, GuardedWriter output)
    {
        IConsole cakeConsole = new HostConsole(new CakeConsole(new CakeEnvironment(new CakePlatform(), new CakeRuntime())), OutputStyle.Colorful, _filter.Text);
        var log = new CakeBuildLog(cakeConsole, commandLine.Verbosity);
        var (environment, fileSystem, configuration, arguments) = Resolve(commandLine);

        var globber = new Globber(fileSystem, environment);
        var tools = new ToolLocator(environment, new ToolRepository(environment),
            new ToolResolutionStrategy(fileSystem, environment, globber, configuration, log));
        var data = new CakeDataService();
        var provider = _services.BuildServiceProvider();
        var cakeContext = new CakeContext(fileSystem, environment, globber, log, new CakeArguments(arguments),
            new ProcessRunner(fileSystem, environment, log, tools, configuration), new WindowsRegistry(), tools, data,
            configuration, new ToolInstaller(environment, tools, configuration, log, Array.Empty<IPackageInstaller>()),
            provider);

        var engine = new CakeEngine(data, log);
        // On GitHub Actions each task's output is a log group of its own.
        if (environment.GetEnvironmentVariable("GITHUB_ACTIONS") == "true")
        {
            engine.RegisterTaskSetupAction(setup => output.WriteCommandLine("::group::" + setup.Task.Name));
            engine.RegisterTaskTeardownAction(_ => output.WriteCommandLine("::endgroup::"));
        }

        var skipReasons = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        TContext? typedContext = null;
        TContext Typed() => typedContext ?? throw new InvalidOperationException("The build context was not created.");
        foreach (var entry in catalog.Tasks)
        {
            Register(engine, entry, ActivatorUtilities.CreateInstance(provider, entry.Type), Typed, log, skipReasons);
        }

        switch (commandLine.Mode)
        {
            case HostMode.Tree:
                await new TreeScriptHost(engine, cakeContext, cakeConsole).RunTargetsAsync(commandLine.Targets);
                return ExitCodes.Success;
            case HostMode.Description:
                await new DescriptionScriptHost(engine, cakeContext, _console!).RunTargetsAsync(commandLine.Targets);
                return ExitCodes.Success;
        }

        var plan = catalog.Plan(commandLine.Targets, commandLine.Exclusive);
        CheckRequiredArguments(plan, arguments);
        using var signals = ListenForInterruption();
        typedContext = _createContext(cakeContext,
            new HostRun(commandLine.Mode == HostMode.DryRun, commandLine.Targets, commandLine.Exclusive, plan, _interruption.Token, output.WriteCommandLine));

        var settings = new ExecutionSettings().SetTargets(commandLine.Targets);
        if (commandLine.Exclusive) settings.UseExclusiveTarget();
        var printer = new PlainReportPrinter(cakeConsole);
        var report = await engine.RunTargetAsync(typedContext, new DefaultExecutionStrategy(log, printer), settings);
        if (commandLine.Verbosity > Verbosity.Quiet) printer.Write(WithSkipReasons(report, skipReasons));
        if (typedContext is IHasFinalOutput { FinalOutput: { } final }) Console.Out.WriteLine(final);
        return ExitCodes.Success;
    }

    /// <summary>
    /// The first SIGINT or SIGTERM cancels the run's token instead of killing the process, so a deploy can put the
    /// target back in order; a second one stops at once.
    /// </summary>
    private CompositeDisposable ListenForInterruption()
    {
        void OnSignal(PosixSignalContext signal)
        {
            if (_interruption.IsCancellationRequested) return;
            signal.Cancel = true;
            Console.Error.WriteLine($"Interrupted ({signal.Signal}): finishing safely, putting the target back in order; signal again to stop at once.");
            _interruption.Cancel();
        }

        return new CompositeDisposable(
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
    }

    private sealed class CompositeDisposable(params IDisposable[] parts) : IDisposable
    {
        public void Dispose()
        {
            foreach (var part in parts) part.Dispose();
        }
    }

    private static void CheckRequiredArguments(IReadOnlyList<TaskEntry> plan, ILookup<string, string> arguments)
    {
        // Loops, not LINQ over tuples: each generic instantiation would be JIT-compiled at every start.
        var neededBy = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var task in plan)
        {
            foreach (var argument in task.RequiredArguments)
            {
                if (arguments[argument].Any(v => v.Length > 0)) continue;
                if (!neededBy.TryGetValue(argument, out var tasks)) neededBy[argument] = tasks = [];
                tasks.Add(task.Name);
            }
        }

        if (neededBy.Count == 0) return;
        var missing = new List<string>();
        foreach (var (argument, tasks) in neededBy) missing.Add($"--{argument} (needed by {string.Join(", ", tasks)})");
        throw new BuildInputException($"Missing required argument{(missing.Count > 1 ? "s" : "")}: {string.Join("; ", missing)}.");
    }

    /// <summary>Cake fixes a criterion's message when the task is registered; the report shows the reason each task gave at run time.</summary>
    private static CakeReport WithSkipReasons(CakeReport report, Dictionary<string, string> reasons)
    {
        var rewritten = new CakeReport();
        foreach (var entry in report)
            rewritten.Add(entry.TaskName, reasons.GetValueOrDefault(entry.TaskName) ?? entry.SkippedMessage, entry.Category, entry.Duration, entry.ExecutionStatus);
        return rewritten;
    }

    private static void Register(CakeEngine engine, TaskEntry entry, object instance, Func<TContext> context, ICakeLog log, Dictionary<string, string> skipReasons)
    {
        var task = (IBuildTask)instance;
        var builder = engine.RegisterTask(entry.Name).Description(entry.Description);
        foreach (var dependency in entry.Dependencies) builder.IsDependentOn(dependency);
        foreach (var dependee in entry.Dependees) builder.IsDependeeOf(dependee);

        builder.WithCriteria(_ =>
        {
            var criterion = task.ShouldRun(context());
            if (!criterion.ShouldRun)
            {
                skipReasons[entry.Name] = criterion.Reason ?? "";
                log.Information("Skipping {0}: {1}", entry.Name, criterion.Reason);
            }

            return criterion.ShouldRun;
        }, "skipped");
        builder.Does(async () => await task.RunAsync(context()));
        if (Overrides(entry.Type, "OnError"))
            builder.OnError(exception => { task.OnError(exception, context()); });
        if (Overrides(entry.Type, "Finally"))
            builder.Finally(() => { task.Finally(context()); });
        if (entry.ContinueOnError) builder.ContinueOnError();
    }

    private static bool Overrides(Type type, string method) =>
        type.GetMethods(BindingFlags.Instance | BindingFlags.Public)
            .Any(m => m.Name == method && m.DeclaringType != m.GetBaseDefinition().DeclaringType);

    private static Exception Unwrap(Exception error)
    {
        while (error is AggregateException { InnerExceptions.Count: 1 } aggregate) error = aggregate.InnerExceptions[0];
        while (error is TargetInvocationException { InnerException: { } inner }) error = inner;
        // Cake reports a task's failure as CakeReportException around what the task threw.
        while (error is CakeReportException { InnerException: { } cause }) error = cause;
        return error;
    }
}
