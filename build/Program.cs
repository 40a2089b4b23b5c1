using Octavios.Build;

return Suite.CreateHost().Run(args);
