import type { Adapter, AdapterPayload } from 'oidc-provider'

/** oidc-provider storage in process memory, with expiry. The test OP keeps nothing on disk. */
export type MemoryStore = Map<string, { payload: AdapterPayload; expires: number | undefined }>

export class MemoryAdapter implements Adapter {
  readonly #model: string
  readonly #store: MemoryStore

  /** `store` is per OP, so two test OPs in one process share nothing. */
  constructor(model: string, store: MemoryStore) {
    this.#model = model
    this.#store = store
  }

  #key(id: string): string {
    return `${this.#model}:${id}`
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    this.#store.set(this.#key(id), { payload, expires: expiresIn ? Date.now() + expiresIn * 1000 : undefined })
    if (payload.uid) this.#store.set(`${this.#model}:uid:${payload.uid}`, { payload: { id } as AdapterPayload, expires: undefined })
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const entry = this.#store.get(this.#key(id))
    if (!entry) return undefined
    if (entry.expires !== undefined && entry.expires < Date.now()) {
      this.#store.delete(this.#key(id))
      return undefined
    }
    return entry.payload
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const ref = this.#store.get(`${this.#model}:uid:${uid}`)
    return ref ? this.find(String(ref.payload.id)) : undefined
  }

  async findByUserCode(): Promise<AdapterPayload | undefined> {
    return undefined
  }

  async consume(id: string): Promise<void> {
    const entry = this.#store.get(this.#key(id))
    if (entry) entry.payload = { ...entry.payload, consumed: Math.floor(Date.now() / 1000) }
  }

  async destroy(id: string): Promise<void> {
    this.#store.delete(this.#key(id))
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    // Only this model's entries: an Interaction also carries a grantId and must survive.
    const prefix = `${this.#model}:`
    for (const [key, entry] of this.#store) {
      if (key.startsWith(prefix) && entry.payload.grantId === grantId) this.#store.delete(key)
    }
  }
}
