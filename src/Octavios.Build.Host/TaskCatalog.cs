using System.Reflection;
using Cake.Core;

namespace Octavios.Build.Host;

/// <summary>One task class as the host sees it: name, description, dependencies and required arguments.</summary>
public sealed record TaskEntry(
    Type Type,
    string Name,
    string Description,
    IReadOnlyList<string> Dependencies,
    IReadOnlyList<string> Dependees,
    bool ContinueOnError,
    IReadOnlyList<string> RequiredArguments);

/// <summary>The task classes of the build, found by scanning assemblies, checked against the context type.</summary>
public sealed class TaskCatalog
{
    private readonly Dictionary<string, TaskEntry> _byName = new(StringComparer.OrdinalIgnoreCase);

    public TaskCatalog(IEnumerable<Assembly> assemblies, Type contextType, IReadOnlyList<ArgumentDefinition> arguments)
    {
        var types = assemblies.SelectMany(a => a.GetTypes())
            .Where(t => t is { IsAbstract: false, IsClass: true } && typeof(IBuildTask).IsAssignableFrom(t))
            .ToList();
        foreach (var type in types)
        {
            var expected = TaskContextType(type);
            if (!expected.IsAssignableFrom(contextType))
            {
                // Frosting only warns and skips such a task; a silently missing task is worse than a failed start.
                throw new InvalidOperationException(
                    $"Task {type.Name} runs on context {expected.Name}, but the host's context is {contextType.Name}.");
            }

            var entry = Describe(type, arguments);
            if (!_byName.TryAdd(entry.Name, entry))
            {
                throw new InvalidOperationException($"Two task classes are named '{entry.Name}'.");
            }
        }

        foreach (var entry in _byName.Values)
        {
            foreach (var dependency in entry.Dependencies.Concat(entry.Dependees).Where(d => !_byName.ContainsKey(d)))
            {
                throw new InvalidOperationException($"Task {entry.Name} names '{dependency}', which is not a task.");
            }
        }

        // A misspelt task in RequiredBy would silently drop the requirement: a failed start instead.
        foreach (var argument in arguments)
        {
            foreach (var task in (argument.RequiredBy ?? []).Where(t => !_byName.ContainsKey(t)))
            {
                throw new InvalidOperationException($"Argument --{argument.Name} is required by '{task}', which is not a task.");
            }
        }
    }

    public IReadOnlyCollection<TaskEntry> Tasks => _byName.Values;

    public TaskEntry? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The tasks a run of <paramref name="targets"/> executes, dependencies first, as Cake's engine orders them.</summary>
    public IReadOnlyList<TaskEntry> Plan(IEnumerable<string> targets, bool exclusive)
    {
        var ordered = new List<TaskEntry>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var target in targets)
        {
            var entry = Find(target) ?? throw new BuildInputException(
                $"Unknown target '{target}'." +
                (NearestName.Of(target, _byName.Values.Select(t => t.Name)) is { Count: > 0 } close ? $" Did you mean {string.Join(" or ", close)}?" : "") +
                $" Valid targets: {string.Join(", ", _byName.Values.Select(t => t.Name).Order())}.");
            if (exclusive)
            {
                if (seen.Add(entry.Name)) ordered.Add(entry);
            }
            else
            {
                Visit(entry, seen, ordered);
            }
        }

        return ordered;
    }

    /// <summary>Dependencies of a task: its own attributes plus every task declaring itself a dependee of it.</summary>
    public IEnumerable<string> DependenciesOf(TaskEntry entry) =>
        entry.Dependencies.Concat(_byName.Values
            .Where(other => other.Dependees.Contains(entry.Name, StringComparer.OrdinalIgnoreCase))
            .Select(other => other.Name));

    private void Visit(TaskEntry entry, HashSet<string> seen, List<TaskEntry> ordered)
    {
        if (!seen.Add(entry.Name)) return;
        foreach (var dependency in DependenciesOf(entry))
        {
            Visit(_byName[dependency], seen, ordered);
        }

        ordered.Add(entry);
    }

    public static string NameOf(Type taskType) =>
        taskType.GetCustomAttribute<TaskNameAttribute>()?.Name ?? taskType.Name;

    private static TaskEntry Describe(Type type, IReadOnlyList<ArgumentDefinition> arguments) => new(
        type,
        NameOf(type),
        type.GetCustomAttribute<TaskDescriptionAttribute>()?.Description ?? "",
        type.GetCustomAttributes<IsDependentOnAttribute>().Select(a => NameOf(a.Dependency)).ToList(),
        type.GetCustomAttributes<IsDependeeOfAttribute>().Select(a => NameOf(a.Dependee)).ToList(),
        type.GetCustomAttribute<ContinueOnErrorAttribute>() is not null,
        arguments.Where(a => a.RequiredBy?.Contains(NameOf(type), StringComparer.OrdinalIgnoreCase) == true).Select(a => a.Name).ToList());

    private static Type TaskContextType(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(BuildTask<>))
            {
                return t.GetGenericArguments()[0];
            }
        }

        throw new InvalidOperationException($"{type.Name} does not derive from BuildTask<TContext>.");
    }
}
