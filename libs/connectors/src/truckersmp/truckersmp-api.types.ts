/** The parts of TruckersMP API v2 answers we use (shapes from shared/fixtures/PLATFORMS.md §5). */

export interface TruckersMpAchievement {
  id: number;
  title: string;
  description?: string;
  image_url?: string;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  achieved_at: string;
}

export interface TruckersMpPlayerVtc {
  id: number;
  name: string;
  tag: string;
  inVTC: boolean;
  memberID: number;
}

export interface TruckersMpVtcHistoryEntry {
  id: number;
  name: string;
  verified?: boolean;
  joinDate?: string;
  leftDate?: string;
}

export interface TruckersMpPlayer {
  id: number;
  name: string;
  avatar?: string;
  joinDate?: string;
  /** Kept as the digits the API sent (a JSON number beyond 2^53 would lose them as a JS number). */
  steamID64: string;
  steamID?: string;
  groupName?: string;
  groupID?: number;
  banned: boolean;
  bannedUntil?: string | null;
  bansCount?: number | null;
  displayBans?: boolean;
  vtc?: TruckersMpPlayerVtc | null;
  vtcHistory?: TruckersMpVtcHistoryEntry[] | null;
  achievements?: TruckersMpAchievement[];
}

export interface TruckersMpBan {
  expiration?: string | null;
  timeAdded: string;
  active: boolean;
  reason: string;
  adminName?: string;
  adminID?: number;
}

export interface TruckersMpVtc {
  id: number;
  name: string;
  tag: string;
  members_count?: number;
  verified?: boolean;
}

export interface TruckersMpEvent {
  id: number;
  name: string;
  event_type?: { key: string; name: string };
  game?: string;
  server?: { id: number; name: string };
  departure?: { location?: string; city?: string };
  arrive?: { location?: string; city?: string };
  start_at: string;
  meetup_at?: string;
  url?: string;
  vtc?: { id: number; name: string } | null;
  user?: { id: number; username: string } | null;
}
