/** What every handler file gets from createServices (services.ts): in its own file so neither imports the other. */
import type { PytorchInfo } from '../../shared/api';
import type { EventBus } from './event-bus';
import type { SettingsProvider } from './settings';
import type { TrainerLaunch } from './trainer-host';

export interface ServiceContext {
  workspace: string;
  events: EventBus;
  /** A backend forced for every run (CLI flag or environment); else the settings' default applies. */
  backend?: string;
  launchTrainer?: TrainerLaunch;
  settings: SettingsProvider;
  /** This machine's Python with torch (probed once, on first use), for Engine: PyTorch. */
  pytorch(): Promise<PytorchInfo>;
}
