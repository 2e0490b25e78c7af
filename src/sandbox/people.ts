/**
 * The sandbox's people: emulated Telegram users the page can act as. One of them is the admin
 * (the sandbox puts its id into ADMIN_IDS). The list is kept in DATA_DIR/sandbox/users.json so
 * the same people (and so their balances in the sandbox database) are there after a restart.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { FakeTelegram, FakeUser } from './telegram/index.js';

/** The admin's Telegram user id in the sandbox. */
export const SANDBOX_ADMIN_ID = 1_000_001;

export const LANGUAGES = ['en', 'ru'] as const;

const personSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1).max(64),
  language: z.enum(LANGUAGES),
  admin: z.boolean(),
});
const fileSchema = z.object({ people: z.array(personSchema) });

export type Person = z.infer<typeof personSchema>;

export const newPersonSchema = z.object({
  name: z.string().trim().min(1, 'name is empty').max(64, 'name is longer than 64 characters'),
  language: z.enum(LANGUAGES),
});

const DEFAULT_PEOPLE: Person[] = [
  { id: SANDBOX_ADMIN_ID, name: 'Admin', language: 'en', admin: true },
  { id: SANDBOX_ADMIN_ID + 1, name: 'Alex', language: 'en', admin: false },
  { id: SANDBOX_ADMIN_ID + 2, name: 'Маша', language: 'ru', admin: false },
];

export class People {
  private readonly people = new Map<number, { person: Person; user: FakeUser }>();

  constructor(
    private readonly tg: FakeTelegram,
    private readonly file: string,
  ) {
    for (const person of this.load()) this.attach(person);
  }

  list(): Person[] {
    return [...this.people.values()].map((p) => ({ ...p.person }));
  }

  get(id: number): FakeUser | undefined {
    return this.people.get(id)?.user;
  }

  add(input: z.infer<typeof newPersonSchema>): Person {
    const id = Math.max(SANDBOX_ADMIN_ID, ...this.people.keys()) + 1;
    const person: Person = { id, name: input.name, language: input.language, admin: false };
    this.attach(person);
    this.save();
    return person;
  }

  private attach(person: Person): void {
    const user = this.tg.user({ id: person.id, firstName: person.name, languageCode: person.language });
    this.people.set(person.id, { person, user });
  }

  private load(): Person[] {
    let people: Person[] = DEFAULT_PEOPLE;
    try {
      const parsed = fileSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      if (parsed.success && parsed.data.people.length) people = parsed.data.people;
    } catch {
      // no file yet (or unreadable): start with the default people
    }
    // Exactly one admin, always the sandbox admin id.
    const rest = people.filter((p) => p.id !== SANDBOX_ADMIN_ID).map((p) => ({ ...p, admin: false }));
    const admin = people.find((p) => p.id === SANDBOX_ADMIN_ID) ?? DEFAULT_PEOPLE[0]!;
    return [{ ...admin, admin: true }, ...rest];
  }

  private save(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ people: this.list() }, null, 2));
    renameSync(tmp, this.file);
  }
}
