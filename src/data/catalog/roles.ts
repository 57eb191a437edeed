// The 19 roles of the persona matrix (resume-task.md section 5). Each role has a title ladder over
// the six seniority levels, a stack (categories of tools the persona draws from), and work areas:
// what a JD asks for (jd) and what a resume bullet can say was done (tasks).
// Task objects use slots: {t0}..{t4} = a tool from stack category i, {domain} {product} {users}
// {buyer} from the vertical. `pl` marks plural objects (for "were built" in passive renderings).
import type { OutcomeKind } from './outcomes.js';
import type { VerbClass } from './verbs.js';

export type Family = 'eng' | 'data' | 'product' | 'business';

export interface TaskTemplate {
  v: VerbClass;
  o: string;
  out: OutcomeKind[];
  pl?: boolean;
}

export interface RoleArea {
  id: string;
  label: string;
  jd: string[];
  tasks: TaskTemplate[];
}

export interface Role {
  id: string;
  name: string;
  family: Family;
  /** One title per seniority level (entry, junior, mid, senior, lead, principal). */
  titles: readonly [string, string, string, string, string, string];
  intern: string;
  /** What the experience is "in", for summaries and JD requirements. */
  field: string;
  stack: readonly (readonly [string, readonly string[]])[];
  areas: RoleArea[];
  degrees: string[];
  grad: string[];
  certs: string[];
  partners: string[];
}

/** Compact task literal: verb class, object, outcome kinds separated by spaces, plural flag. */
function t(v: VerbClass, o: string, out: string, pl = false): TaskTemplate {
  return { v, o, out: out.split(' ') as OutcomeKind[], ...(pl ? { pl } : {}) };
}

const ENG_DEGREES = ['B.S. in Computer Science', 'B.S. in Software Engineering', 'B.S. in Computer Engineering', 'B.S. in Mathematics'];
const ENG_GRAD = ['M.S. in Computer Science', 'M.S. in Software Engineering'];

export const ROLES: Role[] = [
  {
    id: 'backend',
    name: 'Backend Engineer',
    family: 'eng',
    titles: ['Associate Backend Engineer', 'Backend Engineer I', 'Backend Engineer II', 'Senior Backend Engineer', 'Staff Backend Engineer', 'Principal Backend Engineer'],
    intern: 'Software Engineering Intern',
    field: 'backend engineering',
    stack: [
      ['Languages', ['Go', 'Java', 'Python', 'Kotlin', 'Rust', 'TypeScript', 'C#', 'Scala']],
      ['Frameworks', ['Spring Boot', 'gRPC', 'FastAPI', 'Django', 'Express', 'ASP.NET Core']],
      ['Data', ['PostgreSQL', 'MySQL', 'Redis', 'Kafka', 'DynamoDB', 'Cassandra', 'Elasticsearch']],
      ['Infrastructure', ['AWS', 'GCP', 'Docker', 'Kubernetes', 'Terraform']],
      ['Observability', ['Datadog', 'Prometheus', 'Grafana', 'OpenTelemetry']],
    ],
    areas: [
      {
        id: 'api', label: 'API design',
        jd: ['Design and evolve the APIs behind our {product}', 'Own service contracts and versioning for {domain} integrations'],
        tasks: [
          t('build', 'a {domain} REST API in {t0} and {t1}', 'latency scale adoption'),
          t('improve', 'the data access layer of the {domain} service on {t2}', 'latency cost'),
          t('launch', 'a versioned public API for {domain} partners', 'revenue adoption'),
          t('build', 'rate limiting and API key management for the {product}', 'reliability risk'),
        ],
      },
      {
        id: 'distributed', label: 'distributed systems',
        jd: ['Build event-driven services that process {domain} data at scale', 'Keep our services resilient under peak load'],
        tasks: [
          t('build', 'an event-driven {domain} pipeline on {t2}', 'throughput reliability'),
          t('migrate', 'the monolith\'s {domain} module to {t0} microservices', 'cycle_time reliability'),
          t('improve', 'retry and idempotency handling in the {domain} workers', 'reliability quality'),
          t('build', 'a distributed job scheduler for {domain} workloads', 'throughput cost'),
        ],
      },
      {
        id: 'database', label: 'database performance',
        jd: ['Tune schemas, queries and caching on {t2}', 'Plan and run zero-downtime data migrations'],
        tasks: [
          t('improve', 'slow {t2} queries behind the {product}', 'latency cost', true),
          t('build', 'a caching layer for {domain} lookups', 'latency cost'),
          t('migrate', '{domain} records from a legacy database to {t2} without downtime', 'reliability cost', true),
          t('diagnose', 'lock contention in the {domain} database', 'latency reliability'),
        ],
      },
      {
        id: 'observability', label: 'observability and on-call',
        jd: ['Improve monitoring, alerting and incident response with {t4}', 'Share a healthy on-call rotation for {domain} services'],
        tasks: [
          t('build', 'service dashboards and SLO alerts in {t4}', 'reliability', true),
          t('lead', 'the incident review process for {domain} services', 'reliability quality'),
          t('reduce', 'alert noise across the {domain} services', 'reliability efficiency'),
          t('establish', 'distributed tracing across {domain} services', 'reliability latency'),
        ],
      },
    ],
    degrees: ENG_DEGREES,
    grad: ENG_GRAD,
    certs: ['AWS Certified Developer - Associate', 'Certified Kubernetes Application Developer (CKAD)', 'Google Cloud Professional Cloud Developer'],
    partners: ['product', 'data engineering', 'SRE', 'mobile'],
  },
  {
    id: 'frontend',
    name: 'Frontend Engineer',
    family: 'eng',
    titles: ['Associate Frontend Engineer', 'Frontend Engineer I', 'Frontend Engineer II', 'Senior Frontend Engineer', 'Staff Frontend Engineer', 'Principal Frontend Engineer'],
    intern: 'Frontend Engineering Intern',
    field: 'frontend engineering',
    stack: [
      ['Languages', ['TypeScript', 'JavaScript', 'HTML', 'CSS', 'Sass']],
      ['Frameworks', ['React', 'Next.js', 'Vue', 'Angular', 'Svelte']],
      ['Testing', ['Jest', 'Playwright', 'Cypress', 'Testing Library']],
      ['Platform', ['GraphQL', 'Node.js', 'Tailwind CSS', 'Figma', 'Sentry', 'Vercel']],
      ['Build tools', ['Vite', 'Webpack', 'Storybook', 'esbuild']],
    ],
    areas: [
      {
        id: 'ui', label: 'UI development',
        jd: ['Build accessible, responsive interfaces for the {product}', 'Turn designs into polished {t1} components'],
        tasks: [
          t('build', 'the {domain} checkout flow in {t1}', 'conversion engagement'),
          t('launch', 'a redesigned {domain} dashboard in {t1} and {t0}', 'engagement satisfaction'),
          t('build', 'a shared component library documented in Storybook', 'adoption cycle_time'),
          t('build', 'a real-time {domain} status view for {users}', 'engagement satisfaction'),
        ],
      },
      {
        id: 'perf', label: 'web performance',
        jd: ['Own Core Web Vitals and performance budgets for the {product}', 'Profile and speed up rendering on low-end devices'],
        tasks: [
          t('improve', 'bundle size and rendering of the {product}', 'latency conversion'),
          t('migrate', 'the {product} to server-side rendering', 'latency conversion'),
          t('reduce', 'JavaScript payloads on key {domain} pages', 'latency conversion', true),
          t('diagnose', 'layout shifts and long tasks on the {domain} pages', 'latency engagement', true),
        ],
      },
      {
        id: 'a11y', label: 'accessibility',
        jd: ['Make the {product} usable for everyone, meeting WCAG 2.1 AA', 'Champion accessible patterns across the front-end codebase'],
        tasks: [
          t('lead', 'a WCAG 2.1 AA remediation of the {product}', 'satisfaction scale'),
          t('build', 'keyboard navigation and screen-reader support for {domain} forms', 'conversion satisfaction'),
          t('audit', 'the {product} for accessibility issues', 'quality satisfaction'),
          t('establish', 'automated accessibility checks in CI', 'quality', true),
        ],
      },
      {
        id: 'testing', label: 'front-end testing',
        jd: ['Raise confidence with unit, visual and end-to-end tests', 'Keep the front-end CI pipeline fast and reliable'],
        tasks: [
          t('build', 'an end-to-end test suite in {t2}', 'quality cycle_time'),
          t('launch', 'visual regression testing for the component library', 'quality'),
          t('improve', 'the front-end CI pipeline', 'cycle_time quality'),
          t('migrate', 'legacy unit tests to {t2}', 'quality cycle_time', true),
        ],
      },
    ],
    degrees: ENG_DEGREES,
    grad: ENG_GRAD,
    certs: ['Meta Front-End Developer Certificate', 'IAAP Web Accessibility Specialist (WAS)', 'AWS Certified Cloud Practitioner'],
    partners: ['design', 'product', 'backend', 'marketing'],
  },
  {
    id: 'fullstack',
    name: 'Full-Stack Engineer',
    family: 'eng',
    titles: ['Associate Software Engineer', 'Full-Stack Engineer I', 'Full-Stack Engineer II', 'Senior Full-Stack Engineer', 'Staff Full-Stack Engineer', 'Principal Software Engineer'],
    intern: 'Software Engineering Intern',
    field: 'full-stack development',
    stack: [
      ['Languages', ['TypeScript', 'Python', 'Ruby', 'Go', 'JavaScript']],
      ['Frameworks', ['React', 'Node.js', 'Next.js', 'Ruby on Rails', 'Django', 'Express']],
      ['Data', ['PostgreSQL', 'MongoDB', 'Redis', 'MySQL', 'Elasticsearch']],
      ['Infrastructure', ['AWS', 'Heroku', 'Docker', 'Vercel', 'GitHub Actions', 'Sentry']],
    ],
    areas: [
      {
        id: 'features', label: 'end-to-end product features',
        jd: ['Ship {domain} features end to end, from database to UI', 'Work closely with design to shape the {product}'],
        tasks: [
          t('launch', 'a self-serve {domain} onboarding flow in {t1}', 'conversion revenue'),
          t('build', 'a real-time notifications feature for {users}', 'engagement retention'),
          t('build', 'an admin console for {domain} operations', 'efficiency satisfaction'),
          t('launch', 'a customer-facing {domain} reporting page', 'engagement retention'),
        ],
      },
      {
        id: 'integrations', label: 'APIs and integrations',
        jd: ['Build APIs and third-party integrations for {domain} data', 'Keep integrations with partners reliable'],
        tasks: [
          t('build', 'a public API for the {product} in {t0}', 'adoption revenue'),
          t('build', 'payment and billing integrations with Stripe', 'revenue conversion', true),
          t('improve', 'the sync engine between the {product} and partner systems', 'reliability efficiency'),
          t('build', 'webhooks for {domain} events', 'adoption reliability', true),
        ],
      },
      {
        id: 'perf', label: 'application performance',
        jd: ['Find and fix performance problems across the stack', 'Tune {t2} queries and caching'],
        tasks: [
          t('improve', 'slow {t2} queries behind the {product}', 'latency cost', true),
          t('reduce', 'page load times across the {product}', 'latency conversion', true),
          t('build', 'a background job system for {domain} imports', 'throughput efficiency'),
          t('diagnose', 'memory leaks in the {t0} services', 'reliability cost', true),
        ],
      },
      {
        id: 'delivery', label: 'code quality and delivery',
        jd: ['Keep our delivery pipeline fast with good tests and reviews', 'Raise the quality bar across the codebase'],
        tasks: [
          t('build', 'a CI/CD pipeline with automated tests', 'cycle_time quality'),
          t('migrate', 'the {product} frontend to strict TypeScript', 'quality'),
          t('establish', 'feature-flagged releases for the {product}', 'quality cycle_time', true),
          t('build', 'preview environments for every pull request', 'cycle_time quality', true),
        ],
      },
    ],
    degrees: ENG_DEGREES,
    grad: ENG_GRAD,
    certs: ['AWS Certified Developer - Associate', 'MongoDB Certified Developer', 'Full-Stack Web Development Bootcamp Certificate'],
    partners: ['design', 'product', 'customer success', 'data'],
  },
  {
    id: 'mobile',
    name: 'Mobile Engineer',
    family: 'eng',
    titles: ['Associate Mobile Engineer', 'Mobile Engineer I', 'Mobile Engineer II', 'Senior Mobile Engineer', 'Staff Mobile Engineer', 'Principal Mobile Engineer'],
    intern: 'Mobile Engineering Intern',
    field: 'mobile development',
    stack: [
      ['Languages', ['Swift', 'Kotlin', 'Dart', 'TypeScript', 'Objective-C', 'Java']],
      ['Frameworks', ['SwiftUI', 'Jetpack Compose', 'Flutter', 'React Native']],
      ['Tooling', ['Xcode', 'Android Studio', 'Fastlane', 'Firebase', 'Bitrise']],
      ['Data', ['Realm', 'SQLite', 'Core Data', 'Room']],
    ],
    areas: [
      {
        id: 'features', label: 'mobile features',
        jd: ['Build and ship features for our iOS and Android apps', 'Shape the {product} experience for {users} on the go'],
        tasks: [
          t('launch', 'the {product} app on iOS and Android with {t1}', 'scale engagement'),
          t('build', 'offline mode for {domain} workflows using {t3}', 'engagement satisfaction'),
          t('build', 'in-app onboarding for new {users}', 'conversion retention'),
          t('build', 'push notification preferences for {domain} alerts', 'engagement retention', true),
        ],
      },
      {
        id: 'stability', label: 'app performance and stability',
        jd: ['Keep the apps fast, small and crash-free', 'Own app performance metrics and crash triage'],
        tasks: [
          t('reduce', 'app crashes on iOS and Android', 'quality satisfaction', true),
          t('reduce', 'cold-start time of the {product} app', 'latency retention'),
          t('reduce', 'the app download size', 'conversion engagement'),
          t('diagnose', 'ANRs and memory pressure on low-end Android devices', 'quality retention', true),
        ],
      },
      {
        id: 'release', label: 'mobile release engineering',
        jd: ['Automate builds, testing and store releases', 'Run staged rollouts safely'],
        tasks: [
          t('build', 'an automated release pipeline with {t2}', 'cycle_time quality'),
          t('establish', 'staged rollouts and remote feature flags', 'quality reliability', true),
          t('build', 'a UI test suite for critical {domain} flows', 'quality'),
          t('reduce', 'build times for the iOS and Android projects', 'cycle_time', true),
        ],
      },
      {
        id: 'architecture', label: 'mobile architecture',
        jd: ['Evolve a modular, testable app architecture', 'Lead the move to {t1}'],
        tasks: [
          t('migrate', 'the app\'s UI layer to {t1}', 'cycle_time quality'),
          t('build', 'a modular architecture for the {product} app', 'cycle_time adoption'),
          t('lead', 'adoption of a shared design system in the app', 'cycle_time adoption'),
          t('build', 'a shared networking and caching module', 'latency quality'),
        ],
      },
    ],
    degrees: ENG_DEGREES,
    grad: ENG_GRAD,
    certs: ['Associate Android Developer (Google)', 'Apple Swift Certified User', 'Flutter Certified Application Developer'],
    partners: ['design', 'backend', 'product', 'QA'],
  },
  {
    id: 'data_engineer',
    name: 'Data Engineer',
    family: 'eng',
    titles: ['Associate Data Engineer', 'Data Engineer I', 'Data Engineer II', 'Senior Data Engineer', 'Staff Data Engineer', 'Principal Data Engineer'],
    intern: 'Data Engineering Intern',
    field: 'data engineering',
    stack: [
      ['Languages', ['Python', 'SQL', 'Scala', 'Java']],
      ['Processing', ['Apache Spark', 'dbt', 'Airflow', 'Flink', 'Kafka', 'Dagster']],
      ['Warehouses', ['Snowflake', 'BigQuery', 'Redshift', 'Databricks', 'Delta Lake']],
      ['Cloud', ['AWS', 'GCP', 'Azure', 'Terraform', 'Docker']],
    ],
    areas: [
      {
        id: 'pipelines', label: 'data pipelines',
        jd: ['Build batch and streaming pipelines for {domain} data', 'Own pipeline reliability and freshness SLAs'],
        tasks: [
          t('build', 'batch and streaming pipelines for {domain} data with {t1}', 'throughput reliability', true),
          t('migrate', 'legacy ETL jobs to {t1}', 'cost reliability', true),
          t('improve', 'the nightly {domain} ingestion jobs', 'cycle_time cost', true),
          t('build', 'change-data-capture feeds from production databases', 'throughput latency', true),
        ],
      },
      {
        id: 'warehouse', label: 'data warehousing and modeling',
        jd: ['Model {domain} data in {t2} for analytics and reporting', 'Define and maintain trusted metrics'],
        tasks: [
          t('build', 'a dimensional model for {domain} reporting in {t2}', 'adoption efficiency'),
          t('migrate', 'the analytics warehouse to {t2}', 'cost latency'),
          t('build', 'a semantic layer of certified {domain} metrics', 'adoption efficiency'),
          t('improve', 'partitioning and clustering of the largest {t2} tables', 'cost latency'),
        ],
      },
      {
        id: 'quality', label: 'data quality and governance',
        jd: ['Build data quality checks and lineage', 'Protect sensitive {domain} data with sound access controls'],
        tasks: [
          t('build', 'automated data quality checks across {domain} tables', 'quality reliability', true),
          t('launch', 'a data catalog with column-level lineage', 'adoption efficiency'),
          t('lead', 'PII tagging and access controls for {domain} data', 'risk'),
          t('diagnose', 'silent data loss in the {domain} event stream', 'quality reliability'),
        ],
      },
      {
        id: 'platform', label: 'data platform',
        jd: ['Build self-serve tooling so analysts can ship their own pipelines', 'Keep warehouse costs in check'],
        tasks: [
          t('build', 'a self-serve ingestion framework in {t0}', 'adoption efficiency'),
          t('reduce', 'warehouse compute spend', 'cost'),
          t('establish', 'CI checks for data transformations', 'quality cycle_time', true),
          t('build', 'infrastructure-as-code for the data platform with Terraform', 'cycle_time reliability'),
        ],
      },
    ],
    degrees: ENG_DEGREES.concat(['B.S. in Information Systems']),
    grad: ['M.S. in Computer Science', 'M.S. in Data Science'],
    certs: ['Google Cloud Professional Data Engineer', 'Databricks Certified Data Engineer Associate', 'SnowPro Core Certification'],
    partners: ['analytics', 'data science', 'finance', 'backend'],
  },
  {
    id: 'data_scientist',
    name: 'Data Scientist',
    family: 'data',
    titles: ['Associate Data Scientist', 'Data Scientist I', 'Data Scientist II', 'Senior Data Scientist', 'Lead Data Scientist', 'Principal Data Scientist'],
    intern: 'Data Science Intern',
    field: 'data science',
    stack: [
      ['Languages', ['Python', 'R', 'SQL']],
      ['Libraries', ['pandas', 'scikit-learn', 'XGBoost', 'PyTorch', 'statsmodels', 'PyMC']],
      ['Platforms', ['Jupyter', 'Databricks', 'Snowflake', 'BigQuery', 'MLflow']],
      ['Visualization', ['Tableau', 'Looker', 'Plotly', 'matplotlib']],
    ],
    areas: [
      {
        id: 'modeling', label: 'predictive modeling',
        jd: ['Build predictive models for {domain} decisions', 'Take models from notebook to production with engineering'],
        tasks: [
          t('build', 'a churn prediction model for {users} with {t1}', 'retention model'),
          t('build', 'a demand forecasting model for {domain}', 'accuracy cost'),
          t('improve', 'the {domain} risk-scoring model', 'model revenue'),
          t('build', 'a lead-scoring model for the sales team', 'pipeline model'),
        ],
      },
      {
        id: 'experimentation', label: 'experimentation',
        jd: ['Design and analyze experiments on the {product}', 'Raise the bar on causal inference across teams'],
        tasks: [
          t('build', 'the A/B testing framework for the {product}', 'adoption conversion'),
          t('analyze', 'pricing experiments for the {product}', 'revenue conversion', true),
          t('lead', 'a causal analysis of the {domain} loyalty program', 'retention revenue'),
          t('establish', 'sequential testing and guardrail metrics for experiments', 'quality cycle_time', true),
        ],
      },
      {
        id: 'analytics', label: 'product analytics',
        jd: ['Find the insights that shape the {product} roadmap', 'Build self-serve analytics for product teams'],
        tasks: [
          t('analyze', 'funnel drop-off in the {product}', 'conversion'),
          t('build', 'self-serve {domain} dashboards in {t3}', 'efficiency adoption', true),
          t('analyze', 'segments of {users} using clustering', 'engagement retention', true),
          t('diagnose', 'a sudden drop in {domain} engagement', 'engagement retention'),
        ],
      },
      {
        id: 'communication', label: 'stakeholder communication',
        jd: ['Explain findings clearly to product and business leaders', 'Turn analysis into decisions'],
        tasks: [
          t('write', 'a quarterly insights report for leadership', 'adoption revenue'),
          t('lead', 'a metrics review with product and finance leaders', 'efficiency accuracy'),
          t('establish', 'a north-star metric for the {product}', 'engagement adoption'),
          t('write', 'an internal guide to experiment design', 'adoption quality'),
        ],
      },
    ],
    degrees: ['B.S. in Statistics', 'B.S. in Mathematics', 'B.S. in Economics', 'B.S. in Physics', 'B.S. in Computer Science'],
    grad: ['M.S. in Statistics', 'M.S. in Data Science', 'Ph.D. in Applied Mathematics', 'Ph.D. in Economics'],
    certs: ['AWS Certified Machine Learning - Specialty', 'Google Professional Machine Learning Engineer', 'Stanford Online: Statistical Learning'],
    partners: ['product', 'engineering', 'finance', 'marketing'],
  },
  {
    id: 'ml_engineer',
    name: 'Machine Learning Engineer',
    family: 'eng',
    titles: ['Associate ML Engineer', 'ML Engineer I', 'ML Engineer II', 'Senior ML Engineer', 'Staff ML Engineer', 'Principal ML Engineer'],
    intern: 'Machine Learning Intern',
    field: 'machine learning engineering',
    stack: [
      ['Languages', ['Python', 'C++', 'Go', 'SQL']],
      ['Frameworks', ['PyTorch', 'TensorFlow', 'JAX', 'Hugging Face Transformers', 'scikit-learn', 'ONNX Runtime']],
      ['MLOps', ['MLflow', 'Kubeflow', 'Ray', 'Feast', 'Weights & Biases', 'SageMaker']],
      ['Infrastructure', ['Kubernetes', 'Docker', 'AWS', 'GCP', 'Triton Inference Server']],
    ],
    areas: [
      {
        id: 'serving', label: 'model serving',
        jd: ['Serve models with low latency and sensible cost', 'Own the inference platform for {domain} models'],
        tasks: [
          t('build', 'a low-latency model serving stack on {t3}', 'latency cost'),
          t('launch', 'real-time {domain} recommendations for {users}', 'engagement revenue', true),
          t('reduce', 'GPU inference costs with quantization and batching', 'cost latency', true),
          t('migrate', 'batch scoring jobs to online inference', 'latency engagement', true),
        ],
      },
      {
        id: 'training', label: 'training pipelines',
        jd: ['Build reproducible training pipelines with {t1}', 'Improve the models behind the {product}'],
        tasks: [
          t('build', 'a distributed training pipeline with {t1} and {t2}', 'cycle_time cost'),
          t('improve', 'the {domain} ranking model', 'model conversion'),
          t('migrate', 'model training to a managed GPU cluster', 'cycle_time cost'),
          t('diagnose', 'training instabilities in the {domain} model', 'model cycle_time', true),
        ],
      },
      {
        id: 'mlops', label: 'MLOps',
        jd: ['Build the feature store, monitoring and evaluation tooling', 'Make model releases safe and repeatable'],
        tasks: [
          t('build', 'a feature store for {domain} signals', 'adoption cycle_time'),
          t('establish', 'model monitoring and drift alerts', 'reliability model', true),
          t('build', 'an evaluation harness for offline model comparisons', 'quality cycle_time'),
          t('build', 'shadow deployments and canary analysis for models', 'quality reliability', true),
        ],
      },
      {
        id: 'llm', label: 'LLM applications',
        jd: ['Build LLM-powered features with retrieval and evaluation', 'Set up guardrails and quality metrics for generative features'],
        tasks: [
          t('build', 'a retrieval-augmented assistant for {domain} support', 'efficiency satisfaction'),
          t('research', 'fine-tuned language models for {domain} document classification', 'model efficiency', true),
          t('build', 'guardrails and evaluation suites for LLM features', 'quality risk', true),
          t('reduce', 'token costs of the support assistant with caching', 'cost latency', true),
        ],
      },
    ],
    degrees: ENG_DEGREES,
    grad: ['M.S. in Computer Science', 'M.S. in Machine Learning', 'Ph.D. in Computer Science'],
    certs: ['Google Professional Machine Learning Engineer', 'AWS Certified Machine Learning - Specialty', 'DeepLearning.AI MLOps Specialization'],
    partners: ['data science', 'product', 'platform', 'search'],
  },
  {
    id: 'sre',
    name: 'Site Reliability Engineer',
    family: 'eng',
    titles: ['Associate Site Reliability Engineer', 'Site Reliability Engineer I', 'Site Reliability Engineer II', 'Senior Site Reliability Engineer', 'Staff Site Reliability Engineer', 'Principal Site Reliability Engineer'],
    intern: 'Infrastructure Engineering Intern',
    field: 'site reliability engineering',
    stack: [
      ['Languages', ['Go', 'Python', 'Bash']],
      ['Orchestration', ['Kubernetes', 'Docker', 'Helm', 'Argo CD', 'Istio']],
      ['Infrastructure as Code', ['Terraform', 'Ansible', 'Pulumi', 'CloudFormation']],
      ['Observability', ['Prometheus', 'Grafana', 'Datadog', 'PagerDuty', 'OpenTelemetry', 'Splunk']],
      ['Cloud', ['AWS', 'GCP', 'Azure']],
    ],
    areas: [
      {
        id: 'infra', label: 'infrastructure as code',
        jd: ['Manage cloud infrastructure as code with {t2}', 'Run {domain} workloads on {t1}'],
        tasks: [
          t('build', 'the {domain} platform infrastructure in {t2}', 'cycle_time reliability'),
          t('migrate', '{domain} workloads to {t1}', 'cost reliability', true),
          t('reduce', 'cloud spend across production accounts', 'cost'),
          t('build', 'multi-region failover for the {product}', 'reliability'),
        ],
      },
      {
        id: 'reliability', label: 'reliability engineering',
        jd: ['Define SLOs and error budgets with service owners', 'Lead incident response and postmortems'],
        tasks: [
          t('establish', 'SLOs and error budgets for {domain} services', 'reliability', true),
          t('lead', 'incident response and blameless postmortems', 'reliability'),
          t('research', 'chaos experiments on critical {domain} services', 'reliability quality', true),
          t('diagnose', 'recurring outages in the {domain} API gateway', 'reliability', true),
        ],
      },
      {
        id: 'observability', label: 'observability',
        jd: ['Build logging, metrics and tracing with {t3}', 'Make on-call sustainable'],
        tasks: [
          t('build', 'centralized logging and tracing with {t3}', 'reliability efficiency'),
          t('reduce', 'pager noise for the on-call rotation', 'reliability efficiency'),
          t('build', 'capacity planning dashboards', 'cost reliability', true),
          t('establish', 'runbooks for every paging alert', 'reliability efficiency', true),
        ],
      },
      {
        id: 'delivery', label: 'CI/CD',
        jd: ['Keep deploys fast, safe and boring', 'Give developers self-service environments'],
        tasks: [
          t('build', 'GitOps deployments with Argo CD', 'cycle_time quality', true),
          t('improve', 'the shared CI pipeline', 'cycle_time'),
          t('build', 'self-service environment provisioning for developers', 'efficiency cycle_time'),
          t('establish', 'progressive delivery with automated rollbacks', 'reliability quality'),
        ],
      },
    ],
    degrees: ENG_DEGREES.concat(['B.S. in Information Technology']),
    grad: ENG_GRAD,
    certs: ['Certified Kubernetes Administrator (CKA)', 'AWS Certified SysOps Administrator', 'HashiCorp Certified: Terraform Associate'],
    partners: ['backend', 'security', 'platform', 'support'],
  },
  {
    id: 'security',
    name: 'Security Engineer',
    family: 'eng',
    titles: ['Associate Security Engineer', 'Security Engineer I', 'Security Engineer II', 'Senior Security Engineer', 'Staff Security Engineer', 'Principal Security Engineer'],
    intern: 'Security Engineering Intern',
    field: 'security engineering',
    stack: [
      ['Languages', ['Python', 'Go', 'Bash']],
      ['AppSec', ['Burp Suite', 'Snyk', 'Semgrep', 'OWASP ZAP']],
      ['Cloud', ['AWS', 'GCP', 'Azure', 'Kubernetes', 'Terraform']],
      ['Frameworks', ['SOC 2', 'ISO 27001', 'NIST CSF', 'OWASP ASVS']],
      ['Detection and identity', ['Splunk', 'CrowdStrike', 'Microsoft Sentinel', 'Okta', 'HashiCorp Vault', 'Wiz']],
    ],
    areas: [
      {
        id: 'appsec', label: 'application security',
        jd: ['Partner with engineers on secure design and code review', 'Run dependency and code scanning across pipelines'],
        tasks: [
          t('build', 'a secure code review program for {domain} services', 'risk quality'),
          t('launch', 'dependency scanning with {t1} in every pipeline', 'risk'),
          t('lead', 'threat modeling for new {product} features', 'risk'),
          t('establish', 'a bug bounty program for the {product}', 'risk'),
        ],
      },
      {
        id: 'cloudsec', label: 'cloud security',
        jd: ['Harden our {t2} environments', 'Own identity, secrets and network controls'],
        tasks: [
          t('audit', 'IAM policies across all cloud accounts', 'risk cost', true),
          t('build', 'secrets management with HashiCorp Vault', 'risk'),
          t('improve', 'network segmentation for {domain} workloads', 'risk reliability'),
          t('build', 'guardrails for infrastructure-as-code changes', 'risk cycle_time', true),
        ],
      },
      {
        id: 'detection', label: 'detection and response',
        jd: ['Write detections and lead incident response', 'Automate triage in {t4}'],
        tasks: [
          t('build', 'detection rules and playbooks in {t4}', 'risk efficiency', true),
          t('lead', 'the response to a credential-stuffing attack on the {product}', 'risk satisfaction'),
          t('build', 'automated alert triage', 'efficiency risk'),
          t('diagnose', 'a compromised CI credential and its blast radius', 'risk'),
        ],
      },
      {
        id: 'compliance', label: 'security compliance',
        jd: ['Lead {t3} audits with engineering and legal', 'Keep policies and controls current'],
        tasks: [
          t('lead', 'the {t3} readiness program', 'risk revenue'),
          t('write', 'security policies and an incident response plan', 'risk', true),
          t('launch', 'security awareness training for all staff', 'risk adoption'),
          t('build', 'automated evidence collection for audits', 'efficiency risk'),
        ],
      },
    ],
    degrees: ['B.S. in Computer Science', 'B.S. in Cybersecurity', 'B.S. in Information Security', 'B.S. in Computer Engineering'],
    grad: ['M.S. in Cybersecurity', 'M.S. in Computer Science'],
    certs: ['CISSP', 'OSCP', 'AWS Certified Security - Specialty', 'CompTIA Security+'],
    partners: ['infrastructure', 'legal', 'IT', 'backend'],
  },
  {
    id: 'qa',
    name: 'QA Automation Engineer',
    family: 'eng',
    titles: ['Associate QA Engineer', 'QA Automation Engineer I', 'QA Automation Engineer II', 'Senior QA Automation Engineer', 'QA Automation Lead', 'Principal Quality Engineer'],
    intern: 'QA Intern',
    field: 'test automation',
    stack: [
      ['Languages', ['Java', 'Python', 'TypeScript', 'JavaScript', 'C#']],
      ['Test tools', ['Selenium', 'Playwright', 'Cypress', 'Appium', 'WebdriverIO']],
      ['CI', ['Jenkins', 'GitHub Actions', 'GitLab CI', 'CircleCI']],
      ['Practices', ['BDD', 'contract testing', 'exploratory testing', 'performance testing']],
      ['API and load testing', ['Postman', 'REST Assured', 'JMeter', 'k6', 'Gatling']],
    ],
    areas: [
      {
        id: 'automation', label: 'test automation',
        jd: ['Build and maintain automated UI and API tests', 'Keep the regression suite fast and trustworthy'],
        tasks: [
          t('build', 'a {t1} regression suite for the {product}', 'quality cycle_time'),
          t('migrate', 'manual test cases to automated {t1} tests', 'efficiency cycle_time', true),
          t('reduce', 'flaky tests in the main pipeline', 'quality cycle_time', true),
          t('build', 'parallel test execution in {t2}', 'cycle_time'),
        ],
      },
      {
        id: 'api', label: 'API testing',
        jd: ['Test {domain} APIs and integrations', 'Introduce contract testing between services'],
        tasks: [
          t('build', 'contract tests for {domain} APIs', 'quality', true),
          t('build', 'an API test framework with {t4}', 'quality efficiency'),
          t('diagnose', 'integration failures between the {product} and partners', 'quality reliability', true),
          t('build', 'test data factories for {domain} scenarios', 'efficiency quality', true),
        ],
      },
      {
        id: 'perf', label: 'performance testing',
        jd: ['Plan and run load tests before major launches', 'Find performance regressions early'],
        tasks: [
          t('build', 'load tests for peak {domain} traffic', 'reliability throughput', true),
          t('lead', 'performance testing before the {product} launch', 'reliability scale'),
          t('diagnose', 'memory leaks found in soak tests', 'reliability quality', true),
          t('establish', 'performance budgets in the release checklist', 'quality', true),
        ],
      },
      {
        id: 'process', label: 'quality process',
        jd: ['Shape a shift-left quality culture with developers', 'Own release readiness'],
        tasks: [
          t('establish', 'a shift-left testing process with developers', 'quality cycle_time'),
          t('build', 'quality dashboards from CI and defect data', 'efficiency quality', true),
          t('lead', 'release readiness reviews', 'quality', true),
          t('write', 'the team\'s test strategy and risk matrix', 'quality efficiency'),
        ],
      },
    ],
    degrees: ['B.S. in Computer Science', 'B.S. in Information Technology', 'B.S. in Software Engineering', 'B.A. in Mathematics'],
    grad: ['M.S. in Software Engineering'],
    certs: ['ISTQB Certified Tester Foundation Level', 'ISTQB Advanced Test Automation Engineer', 'Certified Agile Tester'],
    partners: ['development', 'product', 'release management', 'support'],
  },
  {
    id: 'embedded',
    name: 'Embedded Software Engineer',
    family: 'eng',
    titles: ['Associate Embedded Engineer', 'Embedded Software Engineer I', 'Embedded Software Engineer II', 'Senior Embedded Software Engineer', 'Staff Embedded Software Engineer', 'Principal Embedded Engineer'],
    intern: 'Embedded Systems Intern',
    field: 'embedded software',
    stack: [
      ['Languages', ['C', 'C++', 'Rust', 'Python', 'ARM assembly']],
      ['Platforms', ['FreeRTOS', 'Zephyr', 'Embedded Linux', 'Yocto', 'ARM Cortex-M']],
      ['Protocols', ['CAN', 'SPI', 'I2C', 'BLE', 'Modbus', 'MQTT']],
      ['Tools', ['JTAG debuggers', 'logic analyzers', 'Jenkins', 'MATLAB', 'Git']],
    ],
    areas: [
      {
        id: 'firmware', label: 'firmware development',
        jd: ['Write production firmware in {t0} for {domain} devices', 'Own secure boot and over-the-air updates'],
        tasks: [
          t('build', 'firmware for a {domain} sensor module in {t0} on {t1}', 'hardware quality'),
          t('build', 'a bootloader with secure over-the-air updates', 'reliability risk'),
          t('migrate', 'the device firmware to {t1}', 'cycle_time reliability'),
          t('build', 'a fault-logging subsystem for field units', 'reliability quality'),
        ],
      },
      {
        id: 'drivers', label: 'drivers and protocols',
        jd: ['Develop drivers for {t2} and other peripherals', 'Debug hardware and software together'],
        tasks: [
          t('build', 'device drivers for {t2} peripherals', 'quality throughput', true),
          t('improve', 'the {t2} communication stack', 'throughput reliability'),
          t('diagnose', 'timing issues on the {t2} bus', 'reliability quality', true),
          t('build', 'a hardware abstraction layer shared across the product lines', 'cycle_time adoption'),
        ],
      },
      {
        id: 'power', label: 'power and performance',
        jd: ['Optimize power, memory and timing budgets', 'Profile firmware on real hardware'],
        tasks: [
          t('reduce', 'device power consumption in sleep modes', 'hardware'),
          t('improve', 'interrupt handling and memory use in the firmware', 'hardware'),
          t('improve', 'the linker layout and build flags of the firmware', 'hardware'),
          t('analyze', 'component choices for the next board revision', 'hardware', true),
        ],
      },
      {
        id: 'testing', label: 'hardware-in-the-loop testing',
        jd: ['Build hardware-in-the-loop tests and automate firmware builds', 'Support certification testing'],
        tasks: [
          t('build', 'a hardware-in-the-loop test rig', 'quality cycle_time'),
          t('establish', 'automated firmware builds in Jenkins', 'cycle_time', true),
          t('lead', 'EMC and safety certification testing', 'risk quality'),
          t('build', 'a firmware unit test framework with hardware mocks', 'quality cycle_time'),
        ],
      },
    ],
    degrees: ['B.S. in Electrical Engineering', 'B.S. in Computer Engineering', 'B.S. in Mechatronics', 'B.S. in Computer Science'],
    grad: ['M.S. in Electrical Engineering', 'M.S. in Embedded Systems'],
    certs: ['Certified LabVIEW Developer', 'Embedded Systems Essentials with Arm (edX)', 'Functional Safety Engineer (TUV Rheinland)'],
    partners: ['hardware', 'manufacturing', 'mobile', 'QA'],
  },
  {
    id: 'data_analyst',
    name: 'Data Analyst',
    family: 'data',
    titles: ['Associate Data Analyst', 'Data Analyst I', 'Data Analyst II', 'Senior Data Analyst', 'Lead Data Analyst', 'Principal Analyst'],
    intern: 'Data Analytics Intern',
    field: 'data analysis',
    stack: [
      ['Languages', ['SQL', 'Python', 'R']],
      ['BI tools', ['Tableau', 'Power BI', 'Looker', 'Mode', 'Metabase']],
      ['Data', ['Snowflake', 'BigQuery', 'Excel', 'Google Sheets', 'dbt']],
      ['Methods', ['cohort analysis', 'A/B testing', 'regression', 'forecasting']],
    ],
    areas: [
      {
        id: 'reporting', label: 'reporting and dashboards',
        jd: ['Build and maintain {t1} dashboards for {domain} teams', 'Automate recurring reporting'],
        tasks: [
          t('build', 'executive {domain} dashboards in {t1}', 'efficiency adoption', true),
          t('improve', 'the weekly {domain} reporting process', 'efficiency'),
          t('build', 'a KPI tree for the {product}', 'adoption efficiency'),
          t('migrate', 'spreadsheet reports to {t1}', 'efficiency adoption', true),
        ],
      },
      {
        id: 'analysis', label: 'business analysis',
        jd: ['Answer open-ended business questions with data', 'Size opportunities for the {product}'],
        tasks: [
          t('analyze', '{domain} trends to size new opportunities', 'revenue', true),
          t('diagnose', 'the causes of a drop in {domain} activity', 'engagement retention', true),
          t('analyze', 'marketing channel performance with {t3}', 'cost conversion'),
          t('analyze', 'pricing and discount patterns across regions', 'revenue', true),
        ],
      },
      {
        id: 'modeling', label: 'SQL and data modeling',
        jd: ['Write efficient SQL against {t2}', 'Model clean, documented tables for reporting'],
        tasks: [
          t('build', 'clean {t2} models for {domain} reporting', 'efficiency quality', true),
          t('improve', 'slow SQL queries behind key reports', 'latency efficiency', true),
          t('build', 'data validation checks for {domain} sources', 'quality', true),
          t('build', 'a single source of truth for {domain} metrics', 'adoption quality'),
        ],
      },
      {
        id: 'stakeholders', label: 'stakeholder partnership',
        jd: ['Partner with operations and finance on decisions', 'Teach teams to self-serve their data'],
        tasks: [
          t('lead', 'monthly business reviews with operations leaders', 'efficiency cost', true),
          t('write', 'analysis briefs for the leadership team', 'revenue efficiency', true),
          t('mentor', 'business users on self-serve {t1} reporting', 'adoption efficiency', true),
          t('establish', 'a request intake process for analytics work', 'cycle_time efficiency'),
        ],
      },
    ],
    degrees: ['B.S. in Statistics', 'B.A. in Economics', 'B.S. in Business Analytics', 'B.S. in Mathematics', 'B.S. in Information Systems'],
    grad: ['M.S. in Business Analytics', 'M.S. in Applied Statistics'],
    certs: ['Google Data Analytics Professional Certificate', 'Tableau Desktop Specialist', 'Microsoft Certified: Power BI Data Analyst Associate'],
    partners: ['operations', 'finance', 'marketing', 'product'],
  },
  {
    id: 'product_manager',
    name: 'Product Manager',
    family: 'product',
    titles: ['Associate Product Manager', 'Product Manager', 'Product Manager II', 'Senior Product Manager', 'Group Product Manager', 'Director of Product'],
    intern: 'Product Management Intern',
    field: 'product management',
    stack: [
      ['Tools', ['Jira', 'Confluence', 'Figma', 'Amplitude', 'Mixpanel', 'Productboard', 'Pendo']],
      ['Methods', ['OKRs', 'user research', 'A/B testing', 'roadmapping', 'Jobs to Be Done', 'discovery sprints']],
      ['Data', ['SQL', 'Looker', 'Tableau', 'Excel']],
    ],
    areas: [
      {
        id: 'strategy', label: 'product strategy and roadmap',
        jd: ['Own the strategy and roadmap for the {product}', 'Set outcome-based goals with engineering and design'],
        tasks: [
          t('lead', 'the {product} roadmap and quarterly OKRs', 'revenue engagement'),
          t('launch', 'a new {domain} product line', 'revenue scale'),
          t('analyze', 'the competitive landscape for {domain} tools', 'revenue conversion'),
          t('write', 'the long-term product vision for the {product}', 'revenue adoption'),
        ],
      },
      {
        id: 'discovery', label: 'customer discovery',
        jd: ['Talk to {users} every week and turn what you learn into bets', 'Validate ideas before we build them'],
        tasks: [
          t('lead', 'discovery interviews with {users}', 'conversion satisfaction', true),
          t('launch', 'a beta program for {domain} features', 'retention satisfaction'),
          t('research', 'a usage-based pricing model', 'revenue conversion'),
          t('research', 'concepts for {domain} automation with design prototypes', 'conversion efficiency', true),
        ],
      },
      {
        id: 'delivery', label: 'delivery and launch',
        jd: ['Run launches with marketing, sales and support', 'Keep delivery predictable and focused'],
        tasks: [
          t('launch', 'the redesigned {domain} workflow', 'efficiency satisfaction'),
          t('lead', 'go-to-market planning with marketing and sales', 'pipeline revenue'),
          t('improve', 'the intake and prioritization process', 'cycle_time efficiency'),
          t('launch', 'the {product} in new markets', 'scale revenue'),
        ],
      },
      {
        id: 'metrics', label: 'metrics and experimentation',
        jd: ['Define success metrics and run experiments', 'Use product analytics to steer the roadmap'],
        tasks: [
          t('establish', 'an experimentation program for onboarding', 'conversion retention'),
          t('build', 'product health dashboards in {t2}', 'efficiency adoption', true),
          t('lead', 'a pricing and packaging revamp', 'revenue retention'),
          t('analyze', 'activation data to redefine the onboarding milestones', 'conversion retention', true),
        ],
      },
    ],
    degrees: ['B.S. in Computer Science', 'B.A. in Economics', 'B.S. in Industrial Engineering', 'B.B.A. in Business Administration', 'B.A. in Cognitive Science'],
    grad: ['MBA', 'M.S. in Engineering Management'],
    certs: ['Certified Scrum Product Owner (CSPO)', 'Pragmatic Institute PMC Level III', 'Product School Product Manager Certificate'],
    partners: ['engineering', 'design', 'sales', 'support'],
  },
  {
    id: 'designer',
    name: 'Product Designer',
    family: 'product',
    titles: ['Associate Product Designer', 'Product Designer', 'Product Designer II', 'Senior Product Designer', 'Lead Product Designer', 'Principal Product Designer'],
    intern: 'UX Design Intern',
    field: 'product design',
    stack: [
      ['Design', ['Figma', 'Sketch', 'Adobe XD', 'Illustrator', 'Framer', 'ProtoPie']],
      ['Research', ['usability testing', 'user interviews', 'card sorting', 'Maze', 'Dovetail']],
      ['Craft', ['design systems', 'prototyping', 'interaction design', 'accessibility', 'HTML/CSS']],
    ],
    areas: [
      {
        id: 'ux', label: 'UX design',
        jd: ['Design end-to-end experiences for the {product}', 'Simplify complex {domain} workflows'],
        tasks: [
          t('improve', 'the {domain} onboarding experience', 'conversion retention'),
          t('build', 'end-to-end flows for the {product}', 'engagement satisfaction', true),
          t('improve', 'the navigation of the {product}', 'engagement satisfaction'),
          t('build', 'a mobile-first version of the {domain} workflow', 'engagement conversion'),
        ],
      },
      {
        id: 'research', label: 'user research',
        jd: ['Plan and run research with {users}', 'Bring evidence into design decisions'],
        tasks: [
          t('lead', 'usability studies with {users}', 'conversion satisfaction', true),
          t('research', 'concepts for a new {domain} feature with {users}', 'conversion', true),
          t('analyze', 'support tickets to find UX pain points', 'satisfaction', true),
          t('establish', 'a shared research repository', 'adoption efficiency'),
        ],
      },
      {
        id: 'systems', label: 'design systems',
        jd: ['Grow and maintain our design system in {t0}', 'Partner with engineers on components and tokens'],
        tasks: [
          t('build', 'a design system in {t0}', 'adoption cycle_time'),
          t('launch', 'accessible color and type tokens', 'adoption', true),
          t('lead', 'the migration of legacy screens to the design system', 'cycle_time quality'),
          t('write', 'usage guidelines for every core component', 'adoption', true),
        ],
      },
      {
        id: 'collab', label: 'cross-functional collaboration',
        jd: ['Work closely with product and engineering from discovery to launch', 'Raise the design quality bar through critique'],
        tasks: [
          t('lead', 'design critiques across product teams', 'quality team', true),
          t('write', 'design specs and handoff guidelines for engineers', 'cycle_time quality', true),
          t('mentor', 'junior designers on interaction patterns', 'team', true),
          t('establish', 'a design QA step before each release', 'quality'),
        ],
      },
    ],
    degrees: ['B.F.A. in Graphic Design', 'B.S. in Human-Computer Interaction', 'B.A. in Cognitive Science', 'B.Des. in Interaction Design', 'B.A. in Psychology'],
    grad: ['M.S. in Human-Computer Interaction', 'M.Des. in Interaction Design'],
    certs: ['Google UX Design Professional Certificate', 'Nielsen Norman Group UX Certification', 'IAAP Certified Professional in Accessibility Core Competencies'],
    partners: ['product', 'engineering', 'research', 'marketing'],
  },
  {
    id: 'tpm',
    name: 'Technical Program Manager',
    family: 'product',
    titles: ['Associate Program Manager', 'Technical Program Manager I', 'Technical Program Manager II', 'Senior Technical Program Manager', 'Lead Technical Program Manager', 'Principal Technical Program Manager'],
    intern: 'Program Management Intern',
    field: 'technical program management',
    stack: [
      ['Tools', ['Jira', 'Confluence', 'Smartsheet', 'Asana', 'Microsoft Project', 'Airtable']],
      ['Methods', ['Agile', 'Scrum', 'SAFe', 'risk management', 'OKRs', 'Kanban']],
      ['Technical', ['AWS', 'system design', 'SQL', 'CI/CD', 'APIs']],
    ],
    areas: [
      {
        id: 'programs', label: 'cross-team programs',
        jd: ['Run complex programs that span several engineering teams', 'Drive the {domain} platform roadmap to delivery'],
        tasks: [
          t('lead', 'a cross-team {domain} platform migration', 'cycle_time cost'),
          t('lead', 'the launch of the {product} in new markets', 'scale revenue'),
          t('lead', 'a data center exit program', 'cost reliability'),
          t('lead', 'the integration of an acquired company\'s platform', 'cost cycle_time'),
        ],
      },
      {
        id: 'process', label: 'delivery process',
        jd: ['Improve planning and release processes', 'Make delivery predictable across teams'],
        tasks: [
          t('establish', 'quarterly planning across engineering teams', 'cycle_time efficiency'),
          t('improve', 'the release management process', 'cycle_time quality'),
          t('build', 'program health dashboards in {t0}', 'efficiency', true),
          t('establish', 'a lightweight design review process', 'quality cycle_time'),
        ],
      },
      {
        id: 'risk', label: 'risk and dependency management',
        jd: ['Track dependencies and surface risks early', 'Keep incident follow-ups on track'],
        tasks: [
          t('build', 'a dependency tracking system for launches', 'cycle_time reliability'),
          t('lead', 'the incident follow-up program', 'reliability'),
          t('analyze', 'delivery risks across the portfolio', 'cycle_time cost', true),
          t('establish', 'launch readiness checklists for {domain} releases', 'quality reliability', true),
        ],
      },
      {
        id: 'stakeholders', label: 'stakeholder communication',
        jd: ['Communicate status and trade-offs to executives', 'Manage vendors and partners'],
        tasks: [
          t('write', 'weekly executive program updates', 'efficiency', true),
          t('lead', 'vendor negotiations for the {domain} platform', 'cost', true),
          t('mentor', 'new program managers', 'team', true),
          t('establish', 'a monthly business review with engineering leadership', 'efficiency'),
        ],
      },
    ],
    degrees: ['B.S. in Computer Science', 'B.S. in Industrial Engineering', 'B.S. in Information Systems', 'B.A. in Business Administration'],
    grad: ['MBA', 'M.S. in Engineering Management'],
    certs: ['PMP (Project Management Professional)', 'Certified ScrumMaster (CSM)', 'SAFe Program Consultant (SPC)'],
    partners: ['engineering', 'product', 'operations', 'finance'],
  },
  {
    id: 'solutions_architect',
    name: 'Solutions Architect',
    family: 'business',
    titles: ['Associate Solutions Engineer', 'Solutions Engineer', 'Solutions Architect', 'Senior Solutions Architect', 'Lead Solutions Architect', 'Principal Solutions Architect'],
    intern: 'Solutions Engineering Intern',
    field: 'solutions architecture',
    stack: [
      ['Cloud', ['AWS', 'Azure', 'GCP']],
      ['Integration', ['REST APIs', 'Kafka', 'MuleSoft', 'SSO/SAML', 'webhooks']],
      ['Languages', ['Python', 'Java', 'JavaScript', 'SQL']],
      ['Sales', ['proofs of concept', 'technical discovery', 'Salesforce', 'RFP responses']],
      ['Platform', ['Kubernetes', 'Terraform', 'Docker']],
    ],
    areas: [
      {
        id: 'presales', label: 'technical pre-sales',
        jd: ['Lead technical discovery and demos for {domain} prospects', 'Run proofs of concept that win deals'],
        tasks: [
          t('lead', 'technical discovery and demos for {domain} prospects', 'pipeline revenue', true),
          t('build', 'proof-of-concept integrations on {t0}', 'pipeline revenue', true),
          t('write', 'RFP responses for enterprise {domain} deals', 'pipeline', true),
          t('build', 'a reusable demo environment for the {product}', 'pipeline efficiency'),
        ],
      },
      {
        id: 'architecture', label: 'solution architecture',
        jd: ['Design customer architectures on {t0}', 'Be the technical advisor for strategic accounts'],
        tasks: [
          t('build', 'reference architectures for {product} deployments on {t0}', 'adoption cycle_time', true),
          t('lead', 'architecture reviews for strategic accounts', 'retention revenue', true),
          t('migrate', 'a major customer from on-premises servers to {t0}', 'revenue cost'),
          t('analyze', 'scalability limits for the largest {domain} customers', 'scale retention', true),
        ],
      },
      {
        id: 'integrations', label: 'customer integrations',
        jd: ['Guide customers through {t1} integrations', 'Shorten time to value for new accounts'],
        tasks: [
          t('build', 'an integration toolkit for {t1}', 'cycle_time adoption'),
          t('build', 'SSO and provisioning for enterprise customers', 'conversion risk'),
          t('improve', 'the customer onboarding playbook', 'cycle_time satisfaction'),
          t('diagnose', 'escalated integration issues for top accounts', 'retention satisfaction', true),
        ],
      },
      {
        id: 'enablement', label: 'field enablement',
        jd: ['Enable sales teams on the technical story', 'Build programs with partners'],
        tasks: [
          t('mentor', 'account executives on the {product} technical story', 'pipeline team', true),
          t('write', 'solution guides and demo scripts', 'adoption efficiency', true),
          t('launch', 'a partner certification program', 'scale revenue'),
          t('establish', 'a win-loss review with product and sales', 'pipeline revenue'),
        ],
      },
    ],
    degrees: ['B.S. in Computer Science', 'B.S. in Computer Engineering', 'B.S. in Information Systems', 'B.S. in Electrical Engineering'],
    grad: ['MBA', 'M.S. in Computer Science'],
    certs: ['AWS Certified Solutions Architect - Professional', 'Microsoft Certified: Azure Solutions Architect Expert', 'Google Cloud Professional Cloud Architect'],
    partners: ['sales', 'product', 'customer success', 'engineering'],
  },
  {
    id: 'marketing',
    name: 'Digital Marketing Manager',
    family: 'business',
    titles: ['Marketing Coordinator', 'Digital Marketing Specialist', 'Digital Marketing Manager', 'Senior Digital Marketing Manager', 'Head of Digital Marketing', 'Director of Marketing'],
    intern: 'Marketing Intern',
    field: 'digital marketing',
    stack: [
      ['Channels', ['SEO', 'paid search', 'paid social', 'email marketing', 'content marketing', 'affiliate marketing']],
      ['Ad platforms', ['Google Ads', 'Meta Ads Manager', 'LinkedIn Ads', 'TikTok Ads']],
      ['Analytics', ['Google Analytics 4', 'Looker Studio', 'SQL', 'Tableau', 'Semrush']],
      ['Marketing automation', ['HubSpot', 'Marketo', 'Braze', 'Salesforce Marketing Cloud']],
    ],
    areas: [
      {
        id: 'acquisition', label: 'paid acquisition',
        jd: ['Plan and optimize paid search and social campaigns', 'Own acquisition cost and payback targets'],
        tasks: [
          t('launch', 'paid search and paid social campaigns for the {product}', 'conversion pipeline', true),
          t('improve', 'bidding and audience targeting in {t1}', 'cost conversion'),
          t('reduce', 'customer acquisition cost across paid channels', 'cost conversion'),
          t('research', 'new ad formats and landing pages for {users}', 'conversion cost', true),
        ],
      },
      {
        id: 'lifecycle', label: 'lifecycle and email marketing',
        jd: ['Build lifecycle journeys in {t3}', 'Grow engagement and retention of {users}'],
        tasks: [
          t('build', 'lifecycle email journeys in {t3}', 'engagement retention', true),
          t('launch', 'a re-engagement campaign for lapsed {users}', 'retention revenue'),
          t('research', 'subject lines and send times with A/B tests', 'engagement', true),
          t('build', 'a customer segmentation model for campaigns', 'engagement conversion'),
        ],
      },
      {
        id: 'content', label: 'content and SEO',
        jd: ['Lead content strategy and SEO for {domain} topics', 'Grow organic traffic and leads'],
        tasks: [
          t('lead', 'an SEO content program on {domain} topics', 'engagement pipeline'),
          t('write', 'case studies and guides for {users}', 'pipeline conversion', true),
          t('improve', 'site structure and technical SEO', 'engagement conversion'),
          t('launch', 'a webinar series for {domain} leaders', 'pipeline engagement'),
        ],
      },
      {
        id: 'analytics', label: 'marketing analytics',
        jd: ['Measure channel performance and attribution', 'Report marketing results to leadership'],
        tasks: [
          t('build', 'a multi-touch attribution model', 'cost revenue'),
          t('build', 'marketing performance dashboards in {t2}', 'efficiency', true),
          t('analyze', 'channel ROI to rebalance the budget', 'cost revenue'),
          t('establish', 'a weekly marketing metrics review', 'efficiency'),
        ],
      },
    ],
    degrees: ['B.A. in Marketing', 'B.A. in Communications', 'B.B.A. in Business Administration', 'B.A. in Journalism', 'B.A. in Economics'],
    grad: ['MBA', 'M.S. in Marketing Analytics'],
    certs: ['Google Ads Search Certification', 'HubSpot Inbound Marketing Certification', 'Google Analytics Certification'],
    partners: ['sales', 'product', 'brand', 'finance'],
  },
  {
    id: 'account_exec',
    name: 'Account Executive',
    family: 'business',
    titles: ['Sales Development Representative', 'Account Executive', 'Mid-Market Account Executive', 'Senior Account Executive', 'Enterprise Account Executive', 'Regional Sales Director'],
    intern: 'Sales Intern',
    field: 'B2B sales',
    stack: [
      ['Sales tools', ['Salesforce', 'HubSpot', 'Outreach', 'Salesloft', 'Gong', 'LinkedIn Sales Navigator']],
      ['Methods', ['MEDDICC', 'Challenger Sale', 'SPIN Selling', 'value selling', 'account planning']],
      ['Skills', ['negotiation', 'forecasting', 'territory planning', 'executive presentations']],
    ],
    areas: [
      {
        id: 'newbiz', label: 'new business',
        jd: ['Prospect and close new {domain} accounts', 'Build pipeline in an assigned territory'],
        tasks: [
          t('win', 'a multi-year contract with a leading {buyer}', 'revenue pipeline'),
          t('build', 'outbound prospecting sequences in {t0}', 'pipeline', true),
          t('win', 'new logos in a previously untapped territory', 'pipeline revenue', true),
          t('win', 'the largest {product} deal in company history', 'revenue'),
        ],
      },
      {
        id: 'accounts', label: 'account management',
        jd: ['Grow and renew a book of {domain} accounts', 'Run business reviews with customer executives'],
        tasks: [
          t('grow', 'the largest account in the territory', 'revenue retention'),
          t('lead', 'quarterly business reviews with key accounts', 'retention revenue', true),
          t('win', 'renewals with at-risk {domain} accounts', 'retention', true),
          t('grow', 'cross-sell revenue from existing customers', 'revenue'),
        ],
      },
      {
        id: 'process', label: 'sales process',
        jd: ['Forecast accurately and keep {t0} clean', 'Follow a disciplined qualification process'],
        tasks: [
          t('establish', 'a structured qualification process', 'pipeline'),
          t('improve', 'forecast hygiene in {t0}', 'accuracy efficiency'),
          t('build', 'a territory plan for the {domain} segment', 'pipeline revenue'),
          t('improve', 'the mutual action plan template used on late-stage deals', 'pipeline'),
        ],
      },
      {
        id: 'collab', label: 'cross-functional selling',
        jd: ['Work deals with solutions engineers and partners', 'Bring customer feedback to product'],
        tasks: [
          t('lead', 'joint deals with channel partners', 'revenue pipeline', true),
          t('mentor', 'new account executives', 'team pipeline', true),
          t('lead', 'customer feedback sessions with the product team', 'retention satisfaction', true),
          t('build', 'a referral program with existing customers', 'pipeline'),
        ],
      },
    ],
    degrees: ['B.A. in Business Administration', 'B.A. in Communications', 'B.S. in Marketing', 'B.A. in Economics', 'B.A. in Political Science'],
    grad: ['MBA'],
    certs: ['MEDDICC Certified', 'Salesforce Certified Administrator', 'Sandler Sales Training'],
    partners: ['solutions engineering', 'marketing', 'customer success', 'legal'],
  },
  {
    id: 'financial_analyst',
    name: 'Financial Analyst',
    family: 'business',
    titles: ['Junior Financial Analyst', 'Financial Analyst', 'Financial Analyst II', 'Senior Financial Analyst', 'FP&A Manager', 'Director of FP&A'],
    intern: 'Finance Intern',
    field: 'financial planning and analysis',
    stack: [
      ['Tools', ['Excel', 'Power BI', 'Tableau', 'SQL', 'Python']],
      ['Systems', ['NetSuite', 'SAP', 'Anaplan', 'Adaptive Planning', 'Oracle Hyperion', 'Workday']],
      ['Methods', ['DCF modeling', 'variance analysis', 'scenario planning', 'unit economics', 'budgeting']],
    ],
    areas: [
      {
        id: 'planning', label: 'budgeting and forecasting',
        jd: ['Own the annual budget and rolling forecast', 'Move planning into {t1}'],
        tasks: [
          t('build', 'the annual operating budget model in {t0}', 'accuracy efficiency'),
          t('improve', 'the rolling forecast for {domain} revenue', 'accuracy'),
          t('migrate', 'planning from spreadsheets to {t1}', 'efficiency cycle_time'),
          t('build', 'a headcount planning model with department leads', 'accuracy cost'),
        ],
      },
      {
        id: 'analysis', label: 'financial analysis',
        jd: ['Analyze margins, pricing and unit economics', 'Find savings opportunities'],
        tasks: [
          t('analyze', 'the unit economics of the {product}', 'revenue cost', true),
          t('build', 'a pricing model for {domain} contracts', 'revenue'),
          t('analyze', 'vendor spend to find savings', 'cost'),
          t('analyze', 'gross margin by customer segment', 'revenue cost'),
        ],
      },
      {
        id: 'reporting', label: 'management reporting',
        jd: ['Deliver monthly reporting and variance analysis', 'Speed up the month-end close'],
        tasks: [
          t('build', 'monthly variance reports for department heads', 'efficiency accuracy', true),
          t('improve', 'the month-end reporting pack', 'cycle_time efficiency'),
          t('build', 'executive KPI dashboards', 'efficiency', true),
          t('establish', 'a shared chart of accounts mapping for reporting', 'accuracy efficiency'),
        ],
      },
      {
        id: 'strategy', label: 'strategic finance',
        jd: ['Support the leadership team on investment decisions', 'Model scenarios for the board'],
        tasks: [
          t('build', 'a DCF model for a proposed acquisition', 'revenue accuracy'),
          t('lead', 'scenario planning for the board', 'accuracy cost'),
          t('analyze', 'the business case for a new {domain} market', 'revenue scale'),
          t('build', 'a capital allocation framework for new projects', 'cost revenue'),
        ],
      },
    ],
    degrees: ['B.S. in Finance', 'B.S. in Accounting', 'B.A. in Economics', 'B.S. in Business Administration', 'B.S. in Mathematics'],
    grad: ['MBA', 'M.S. in Finance'],
    certs: ['CFA Level II Candidate', 'Financial Modeling & Valuation Analyst (FMVA)', 'Certified Management Accountant (CMA)'],
    partners: ['accounting', 'sales', 'operations', 'HR'],
  },
];

/** Tasks any role of a family can claim (mentoring, process, collaboration). {partner} is filled
 *  from the role's partner teams. */
export const GENERIC_TASKS: Record<Family, TaskTemplate[]> = {
  eng: [
    t('mentor', 'junior engineers through pairing and code reviews', 'team', true),
    t('lead', 'a working group with {partner} on shared tooling', 'cycle_time efficiency'),
    t('write', 'the team\'s engineering onboarding guide', 'team efficiency'),
    t('improve', 'the team\'s code review process', 'cycle_time quality'),
    t('establish', 'an internal tech talk series', 'team adoption'),
    t('lead', 'technical interviews and a revised hiring rubric', 'team', true),
  ],
  data: [
    t('mentor', 'junior analysts on SQL and statistics', 'team', true),
    t('write', 'documentation for core {domain} metrics', 'efficiency adoption'),
    t('lead', 'a data literacy program for {partner} teams', 'adoption efficiency'),
    t('improve', 'the team\'s analysis review process', 'quality cycle_time'),
    t('establish', 'office hours for {partner} stakeholders', 'efficiency adoption', true),
    t('lead', 'hiring for the analytics team', 'team'),
  ],
  product: [
    t('mentor', 'associate team members on discovery practices', 'team', true),
    t('lead', 'quarterly planning with {partner}', 'cycle_time efficiency'),
    t('write', 'a product operations playbook', 'efficiency adoption'),
    t('improve', 'the feedback loop with customer support', 'satisfaction efficiency'),
    t('establish', 'monthly customer advisory sessions', 'satisfaction retention', true),
    t('lead', 'hiring for new product teams', 'team'),
  ],
  business: [
    t('mentor', 'new hires on the team playbook', 'team', true),
    t('lead', 'a cross-functional initiative with {partner}', 'revenue efficiency'),
    t('write', 'an internal playbook for {domain} accounts', 'efficiency adoption'),
    t('improve', 'the team\'s weekly reporting cadence', 'efficiency'),
    t('establish', 'a monthly review with {partner} leadership', 'efficiency'),
    t('lead', 'onboarding for new team members', 'team'),
  ],
};
