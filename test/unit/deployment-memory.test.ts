/**
 * The memory of one deployment (provider/engine/deployment-memory.ts): what verbs tell each other where Pulumi
 * gives them no channel. Its one rule with logic: a what-if answer is asked once, and a failed one is not kept.
 */
import { DeploymentMemory } from "../../provider/engine/deployment-memory";

it("a verification's answer is asked once per deployment; a failed answer is forgotten, so the next check asks again", async () => {
  const memory = new DeploymentMemory();
  let asked = 0;
  const ask = async () => ++asked;
  expect(await memory.answerOnce("replay p_1", ask)).toBe(1);
  expect(await memory.answerOnce("replay p_1", ask)).toBe(1);
  expect(await memory.answerOnce("replay p_2", ask)).toBe(2);

  const failing = () => Promise.reject(new Error("503"));
  await expect(memory.answerOnce("replay p_3", failing)).rejects.toThrow("503");
  expect(await memory.answerOnce("replay p_3", ask)).toBe(3);
});

it("diff remembers the object a resource holds only when it knows who creates it", () => {
  const memory = new DeploymentMemory();
  memory.rememberHeldObject(undefined, "prj_1");
  memory.rememberHeldObject("anchor urn", "prj_2");
  expect([...memory.heldObjects]).toEqual([["anchor urn", "prj_2"]]);
});
